import FieldSyncModel

/// Builds one mutation from a user's action, computing every write's bases from what this laptop shows.
///
/// A write's bases are the heads its writer had seen: here, the heads of the rebased view (including this
/// mutation's own earlier writes). Editing a field in conflict therefore resolves it, as the protocol intends.
public struct MutationBuilder {
    let replica: ReplicaID
    let seq: UInt64
    let hlc: HLCTimestamp
    let author: String
    let ids: IDSource
    let lookup: (RecordID) throws -> RecordState?
    /// The writes so far.
    public private(set) var writes: [Write] = []
    /// The states of the records touched so far, with this mutation's writes applied.
    private(set) var states: [RecordID: RecordState] = [:]
    /// What the laptop showed of each record looked up, before this mutation (`nil`: no such record).
    private(set) var shown: [RecordID: RecordState?] = [:]

    init(
        replica: ReplicaID, seq: UInt64, hlc: HLCTimestamp, author: String, ids: IDSource,
        lookup: @escaping (RecordID) throws -> RecordState?
    ) {
        self.replica = replica
        self.seq = seq
        self.hlc = hlc
        self.author = author
        self.ids = ids
        self.lookup = lookup
    }

    /// The current state of `record` as this laptop shows it, with this mutation's writes so far.
    public mutating func state(of record: RecordID) throws -> RecordState? {
        if let state = states[record] { return state }
        if let known = shown[record] { return known }
        let loaded = try lookup(record)
        shown.updateValue(loaded, forKey: record)
        states[record] = loaded
        return loaded
    }

    /// Appends a write as given (bases included); used to replay a refused mutation's create.
    mutating func appendRaw(_ write: Write) throws { try append(write) }

    private mutating func append(_ write: Write) throws {
        var state = try self.state(of: write.record) ?? RecordState()
        state.apply(
            write, id: WriteID(replica: replica, seq: seq, index: UInt32(writes.count)), hlc: hlc, author: author)
        states[write.record] = state
        writes.append(write)
    }

    /// Creates a record of `entity` with a fresh id and returns the id.
    @discardableResult
    public mutating func create(_ entity: EntityKind) throws -> RecordID {
        let id = RecordID(trusted: entity.idPrefix + "-" + ids.text(10, from: "0123456789abcdefghjkmnpqrstvwxyz"))
        try append(.create(record: id, entity: entity))
        return id
    }

    /// Sets a field, superseding every head this laptop shows for it.
    public mutating func set(_ record: RecordID, _ field: String, _ value: Value) throws {
        let bases = try state(of: record)?.field(field)?.heads.map(\.id) ?? []
        try append(.set(record: record, field: field, value: value, bases: bases))
    }

    /// Adds a tag.
    public mutating func add(_ record: RecordID, _ field: String, _ element: String) throws {
        try append(.add(record: record, field: field, element: element))
    }

    /// Removes a tag, cancelling the adds of it this laptop shows.
    public mutating func remove(_ record: RecordID, _ field: String, _ element: String) throws {
        let bases = try state(of: record)?.tagSet(field)?.addIDs(of: element) ?? []
        try append(.remove(record: record, field: field, element: element, bases: bases))
    }

    /// Appends a note.
    public mutating func note(_ record: RecordID, _ text: String) throws {
        try append(.note(record: record, text: text))
    }

    /// Deletes a record, having seen every head this laptop shows.
    public mutating func delete(_ record: RecordID) throws {
        try append(.delete(record: record, bases: try state(of: record)?.liveWriteIDs ?? []))
    }

    /// Merges customer `dup` into `keep` (`RecordMerge`): this laptop shows `keep` with `dup`'s fields, tags and notes
    /// at once; the server moves the children when the merge reaches it.
    public mutating func merge(_ dup: RecordID, into keep: RecordID) throws {
        try append(.merge(record: dup, into: keep))
        if var kept = try state(of: keep), let merged = try state(of: dup) {
            kept.absorb(merged)
            states[keep] = kept
        }
    }

    /// Keeps a record alive against the deletes this laptop shows.
    public mutating func restore(_ record: RecordID) throws {
        try append(.restore(record: record, bases: try state(of: record)?.deletes.map(\.id) ?? []))
    }
}
