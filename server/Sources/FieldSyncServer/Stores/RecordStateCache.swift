import FieldSyncModel
import Foundation
import Synchronization

/// Decoded record states by record id and version, so a push does not decode the stored JSON of records it has seen
/// before (decoding was the largest cost of a push).
///
/// A (record, version) pair names one committed state forever: versions are change numbers, and a state is cached
/// only after it was read from, or committed to, the database. States of a transaction that might still roll back
/// are never cached, because a rolled-back change number is handed out again.
final class RecordStateCache: Sendable {
    private let entries = Mutex<[RecordID: (version: Int64, state: RecordState)]>([:])
    /// Entries kept at most; the cache starts over when full (cheap, and a push re-fills what it needs).
    let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    /// The state of `record` at `version`, if cached.
    func state(of record: RecordID, version: Int64) -> RecordState? {
        entries.withLock { entries in
            guard let entry = entries[record], entry.version == version else { return nil }
            return entry.state
        }
    }

    /// The state of a committed row: from the cache when this version was decoded before, else decoded from `json`
    /// and remembered.
    func state(of record: RecordID, version: Int64, json: @autoclosure () -> Data) throws -> RecordState {
        if let cached = state(of: record, version: version) { return cached }
        let decoded = try Self.decode(json())
        store([(record, version, decoded)])
        return decoded
    }

    /// Decodes a stored state: its compact JSON read in one pass (`RecordState(compactJSON:)`), anything else by
    /// `Codable`.
    static func decode(_ data: Data) throws -> RecordState {
        try RecordState(compactJSON: Array(data)) ?? JSONDecoder().decode(RecordState.self, from: data)
    }

    /// How many states are kept.
    var count: Int { entries.withLock { $0.count } }

    /// Forgets every state, giving back the memory (pushes decode what they need again).
    func removeAll() {
        entries.withLock { $0 = [:] }
    }

    /// Remembers committed states.
    func store(_ records: [(id: RecordID, version: Int64, state: RecordState)]) {
        entries.withLock { entries in
            if entries.count + records.count > capacity { entries.removeAll(keepingCapacity: true) }
            for record in records where (entries[record.id]?.version ?? .min) < record.version {
                entries[record.id] = (record.version, record.state)
            }
        }
    }
}
