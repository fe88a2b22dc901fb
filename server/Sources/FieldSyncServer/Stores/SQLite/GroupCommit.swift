import FieldSyncModel
import GRDB
import Synchronization

/// Pushes that arrive while another commits wait for it, then commit together in one SQLite transaction: the
/// commit's cost (the WAL frames of the pages every push touches, the writer's turn) is paid once per group.
///
/// Each push of a group runs in its own savepoint, so a push that fails is rolled back alone and its caller gets its
/// error while the others commit; change numbers stay contiguous (a rolled-back push's numbers go to the next one);
/// a push sees every earlier push of its group, as it would have seen them committed. Each caller is answered only
/// after the group's commit, and if the commit fails every push of the group fails with it.
final class GroupCommit: Sendable {
    /// One push's work inside the group's transaction, given what the group wrote before it: its answer and the
    /// states it wrote.
    typealias Work = @Sendable (Database, SoFar) throws -> Committed
    /// A push's answer and the states it wrote, which the record cache keeps once they are committed.
    typealias Committed = (commit: PushCommit, states: [(id: RecordID, version: Int64, state: RecordState)])

    /// What a push of a group finds written before it.
    struct SoFar {
        /// The change number committed before the group: rows above it are the group's own and may still roll back.
        var committedThrough: Int64
        /// The states the group's earlier pushes wrote, by record, with their versions (so a later push reads them
        /// without decoding the rows).
        var written: [RecordID: (version: Int64, state: RecordState)] = [:]
    }

    private struct Waiting {
        let work: Work
        let mutations: Int
        let continuation: CheckedContinuation<PushCommit, any Error>
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var writing = false
        var groups = 0
        var pushes = 0
    }

    private let queue = Mutex(Queue())
    private let pool: DatabasePool
    private let cache: RecordStateCache
    /// A group takes waiting pushes until it holds this many mutations (its first push, whatever its size).
    let maxMutations: Int

    init(pool: DatabasePool, cache: RecordStateCache, maxMutations: Int = 2_000) {
        self.pool = pool
        self.cache = cache
        self.maxMutations = maxMutations
    }

    /// How many groups were taken to commit and how many pushes they held, since the store opened, and how many
    /// pushes wait for the next group.
    var counts: (groups: Int, pushes: Int, waiting: Int) {
        queue.withLock { ($0.groups, $0.pushes, $0.waiting.count) }
    }

    /// Runs `work` in the next group and returns its answer once the group committed.
    func commit(mutations: Int, _ work: @escaping Work) async throws -> PushCommit {
        try await withCheckedThrowingContinuation { continuation in
            let leads = queue.withLock { queue in
                queue.waiting.append(Waiting(work: work, mutations: mutations, continuation: continuation))
                defer { queue.writing = true }
                return !queue.writing
            }
            if leads { Task { await self.drain() } }
        }
    }

    /// Commits groups until no push waits.
    private func drain() async {
        while true {
            let group = queue.withLock { queue -> [Waiting] in
                var taken = 0
                var held = 0
                while taken < queue.waiting.count, taken == 0 || held + queue.waiting[taken].mutations <= maxMutations {
                    held += queue.waiting[taken].mutations
                    taken += 1
                }
                let group = Array(queue.waiting.prefix(taken))
                queue.waiting.removeFirst(taken)
                if group.isEmpty { queue.writing = false }
                queue.groups += group.isEmpty ? 0 : 1
                queue.pushes += group.count
                return group
            }
            if group.isEmpty { return }
            await run(group)
        }
    }

    private func run(_ group: [Waiting]) async {
        let outcomes: [Result<Committed, any Error>]
        do {
            outcomes = try await pool.write { db in
                var soFar = SoFar(committedThrough: try SQLiteStore.changeSeq(db))
                return group.map { waiting in
                    let outcome = Result {
                        var committed: Committed?
                        try db.inSavepoint {
                            committed = try waiting.work(db, soFar)
                            return .commit
                        }
                        return committed!
                    }
                    for state in (try? outcome.get())?.states ?? [] {
                        soFar.written[state.id] = (state.version, state.state)
                    }
                    return outcome
                }
            }
        } catch {
            for waiting in group { waiting.continuation.resume(throwing: error) }
            return
        }
        // Only now: a group that rolled back would hand its change numbers out again.
        cache.store(outcomes.flatMap { (try? $0.get())?.states ?? [] })
        for (waiting, outcome) in zip(group, outcomes) { waiting.continuation.resume(with: outcome.map(\.commit)) }
    }
}
