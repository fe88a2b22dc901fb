import FieldSyncModel
import Foundation

/// Pushes pending mutations, then pulls every page since the cursor; resumable at any point.
///
/// Each step commits locally before the next begins: a push's results are stored in one transaction, each pull page
/// with its cursor in one transaction. Killed or cut off anywhere, the next `sync` resends what was not acknowledged
/// (the server answers `duplicate` for what it already has) and pulls from the last stored cursor.
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
    public func sync(progress: (SyncSummary) -> Void = { _ in }) async throws -> SyncSummary {
        var summary = SyncSummary()
        let conflictsBefore = try store.conflictCounts()
        while true {
            let batch = try store.pendingBatch(limit: pushBatch)
            guard !batch.isEmpty else { break }
            let (response, bytes) = try await transport.push(PushRequest(mutations: batch), token: token)
            let outcome = try store.applyPushResults(batch, response)
            summary.pushed += batch.count
            summary.bytesUp += bytes
            summary.acknowledged += outcome.acknowledged
            summary.rejected += outcome.rejected.map { "#\($0.seq) \($0.summary): \($0.reason)" }
            progress(summary)
            if let reason = outcome.retry.first {
                throw ClientError(.seqGap, "The server is missing earlier changes from this laptop: \(reason)")
            }
            if outcome.acknowledged + outcome.rejected.count == 0 { break }
        }
        // Pipelined: while one page is written locally, the next is downloaded and decoded.
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
        summary.newConflicts = try store.conflictCounts().reduce(0) { total, entry in
            total + max(0, entry.value - (conflictsBefore[entry.key] ?? 0))
        }
        return summary
    }
}

extension SyncEngine {
    /// Downloads and decodes one page in a task of its own.
    func fetch(from cursor: String) -> Task<(PullResponse, Data), any Error> {
        Task { [transport, pullLimit, token] in
            let raw = try await transport.pull(cursor: cursor, limit: pullLimit, token: token)
            do {
                return (try JSONDecoder().decode(PullResponse.self, from: raw), raw)
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

    /// Creates an empty summary.
    public init() {}
}
