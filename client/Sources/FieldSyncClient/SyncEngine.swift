import FieldSyncModel
import Foundation

/// Pushes pending mutations, then pulls every page since the cursor; resumable at any point.
///
/// A push's results are stored in one transaction (while the next push, if any, is on its way), each pull page with
/// its cursor in one transaction. Killed or cut off anywhere, the next `sync` resends what was not acknowledged (the
/// server answers `duplicate` for what it already has) and pulls from the last stored cursor.
public struct SyncEngine: Sendable {
    let store: LocalStore
    let transport: any SyncTransport
    let token: String
    /// Mutations per push.
    public var pushBatch = 500
    /// Records per pull page.
    public var pullLimit = 5_000

    /// Creates an engine.
    public init(store: LocalStore, transport: any SyncTransport, token: String) {
        self.store = store
        self.transport = transport
        self.token = token
    }

    /// Runs one sync; `progress` is called after every request.
    ///
    /// Before pushing, a new replica id is registered and a clock that ran ahead is brought back; a server restored
    /// from a backup is healed (what it lost is re-offered) before the push, or after a pull that revealed it.
    public func sync(progress: (SyncSummary) -> Void = { _ in }) async throws -> SyncSummary {
        var summary = SyncSummary()
        let conflictsBefore = try store.conflictCounts()
        try await register()
        if try store.clockAheadOfWall() {
            // The stored clock is ahead of the wall clock: the server's time says which one is wrong.
            let (response, _) = try await transport.push(
                PushRequest(mutations: []), token: token, schemaVersion: store.schema.version)
            try store.correctClock(serverHLC: response.hlc)
            _ = try store.applyPushResults([], response)
        }
        for _ in 0..<2 {
            if try store.healNeeded() { try await heal() }
            try await pushAll(&summary, progress)
            try await pullAll(&summary, progress)
            if try store.retryWaitingForHealing() {
                // Re-offers refused while another laptop had not yet healed what they build on: sent again.
                try await pushAll(&summary, progress)
                try await pullAll(&summary, progress)
            }
            guard try store.healNeeded() else { break }  // the pull met a restored server: heal, then sync again
        }
        summary.notices = try store.takeNotices()
        summary.newConflicts = try store.conflictCounts().reduce(0) { total, entry in
            total + max(0, entry.value - (conflictsBefore[entry.key] ?? 0))
        }
        return summary
    }

    /// Pushes the pending queue in batches until it is empty or the server takes no more.
    ///
    /// Pipelined: once the server has taken a whole batch, the next one goes out while this one's results are stored
    /// (the server has committed it, so the next cannot arrive first). An answer that asks for anything else (a
    /// refusal, a retry, a clone, a restored server) is handled first, and the next batch waits for it.
    private func pushAll(_ summary: inout SyncSummary, _ progress: (SyncSummary) -> Void) async throws {
        var heals = 0
        var sent: (push: PendingPush, answer: Task<(PushResponse, bytes: Int), any Error>)?
        while true {
            if sent == nil {
                guard let push = try store.offerPending(limit: pushBatch) else { break }
                sent = (push, send(push))
            }
            let (push, answer) = sent!
            sent = nil
            let response: PushResponse
            let bytes: Int
            do {
                (response, bytes) = try await answer.value
            } catch let error as ClientError
                where error.code == .upgradeRequired && push.schemaVersion < store.schema.version
            {
                // The server no longer reads the version these changes were made in: they go out in this laptop's.
                try store.upgradePending(from: push.schemaVersion)
                continue
            } catch let error as ClientError where error.code == .replicaMismatch && heals < 2 {
                // A replica id this laptop registered is unknown to the server: it was restored from a backup.
                heals += 1
                try await heal()
                continue
            }
            let mutations = push.request.mutations
            if response.results.count == mutations.count,
                response.results.allSatisfy({ $0.status == .applied || $0.status == .duplicate }),
                let next = try store.offerPending(after: mutations.last!.seq, limit: pushBatch)
            {
                sent = (next, send(next))
            }
            let outcome: PushApplied
            do {
                outcome = try store.applyPushResults(mutations, response)
            } catch {
                _ = try? await sent?.answer.value  // the next batch is on its way: its answer is awaited, not lost
                throw error
            }
            summary.pushed += mutations.count { !$0.writes.isEmpty }
            summary.bytesUp += bytes
            summary.acknowledged += outcome.acknowledged
            summary.rejected += outcome.rejected.map { "#\($0.seq) \($0.summary): \($0.reason)" }
            progress(summary)
            if outcome.clonedAt != nil {
                try await register()  // the queue now carries the new replica id
                continue
            }
            if outcome.serverBehind && heals < 2 {
                heals += 1
                try await heal()
                continue
            }
            if let reason = outcome.retry.first {
                throw ClientError(.seqGap, "The server is missing earlier changes from this laptop: \(reason)")
            }
            if outcome.acknowledged + outcome.rejected.count == 0 { break }
        }
    }

    /// Pulls every page since the cursor. Pipelined: while one page is written locally, the next is downloaded.
    private func pullAll(_ summary: inout SyncSummary, _ progress: (SyncSummary) -> Void) async throws {
        var next: Task<(PullResponse, Data), any Error>? = fetch(from: try store.cursor())
        while let task = next {
            let (page, raw) = try await task.value
            next = page.more ? fetch(from: page.cursor) : nil
            let applied: PullApplied
            do {
                applied = try store.applyPulled(page, raw: raw)
            } catch {
                next?.cancel()
                throw error
            }
            summary.pulled += applied.records
            summary.removed += applied.removed
            summary.bytesDown += raw.count
            progress(summary)
        }
    }

    /// Registers a replica id this laptop took (a copied folder, a clone the server detected) before it pushes.
    private func register() async throws {
        guard let request = try store.pendingRegistration() else { return }
        let response = try await transport.registerReplica(request, token: token)
        try store.markRegistered(response.replica)
    }

    /// Heals a server restored from a backup: asks what it still holds of each replica id this laptop has
    /// mutations of (telling it the seqs below those this laptop holds will never come), then re-offers the rest.
    private func heal() async throws {
        var held: [ReplicaResponse] = []
        for request in try store.healRequests() {
            let response = try await transport.registerReplica(request, token: token)
            held.append(response)
            try store.markRegistered(response.replica)
        }
        _ = try store.heal(held: held)
    }
}

extension SyncEngine {
    /// Sends one push in a task of its own.
    func send(_ push: PendingPush) -> Task<(PushResponse, bytes: Int), any Error> {
        Task { [transport, token] in
            try await transport.push(push.request, token: token, schemaVersion: push.schemaVersion)
        }
    }

    /// Downloads and decodes one page in a task of its own.
    func fetch(from cursor: String) -> Task<(PullResponse, Data), any Error> {
        Task { [transport, pullLimit, token] in
            let raw = try await transport.pull(cursor: cursor, limit: pullLimit, token: token)
            do {
                // A plain page is read in one pass; anything else by `Codable`, which reads it alike or says why not.
                return (
                    try PullResponse(compactJSON: Array(raw)) ?? JSONDecoder().decode(PullResponse.self, from: raw), raw
                )
            } catch {
                throw ClientError(.badResponse, "A pull page from the server could not be read: \(error)")
            }
        }
    }
}

/// What a sync did, for the summary line and `--json`.
public struct SyncSummary: Codable, Sendable {
    /// Mutations sent.
    public var pushed = 0
    /// Mutations the server has for good.
    public var acknowledged = 0
    /// Refused mutations with their reasons.
    public var rejected: [String] = []
    /// Records received.
    public var pulled = 0
    /// Records that left this laptop (deleted, or out of view).
    public var removed = 0
    /// Conflicts that appeared with this sync.
    public var newConflicts = 0
    /// Bytes sent.
    public var bytesUp = 0
    /// Bytes received.
    public var bytesDown = 0
    /// What the user must be told once: a new replica id, a healed server, a corrected clock.
    public var notices: [String] = []

    /// Creates an empty summary.
    public init() {}
}
