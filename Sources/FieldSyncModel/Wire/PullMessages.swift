/// One record as a pull carries it: its whole merged state (heads, tags, notes, deletes), never a diff.
public struct RecordSnapshot: Codable, Sendable, Equatable {
    /// The record.
    public let id: RecordID
    /// The territory the record belongs to (a child record: its customer's).
    public let territory: String
    /// The change sequence number of the record's latest change.
    public let version: Int64
    /// The merged state.
    public let state: RecordState

    /// Creates a snapshot.
    public init(id: RecordID, territory: String, version: Int64, state: RecordState) {
        self.id = id
        self.territory = territory
        self.version = version
        self.state = state
    }
}

/// The answer to `GET /v1/pull?cursor=C&limit=N`: one page of everything visible to the caller since the cursor.
public struct PullResponse: Codable, Sendable {
    /// Records changed (or newly visible) since the cursor, whole, in change order.
    public let records: [RecordSnapshot]
    /// Records to drop: deleted, or moved out of the caller's view.
    public let removed: [RecordID]
    /// The cursor to send next (opaque text); store it only after this page is applied.
    public let cursor: String
    /// The change number this page brings the caller up to: every acknowledged mutation whose push answered a
    /// `changeSeq` at or below it is now in the pulled records, so the client can stop replaying it.
    public let changeSeq: Int64
    /// Whether more pages remain now.
    public let more: Bool
    /// Whether this pass restarted from the beginning (a fresh laptop, a restored server, a view the server could
    /// not catch up): once the pass ends (`more == false`), drop every local record the pass did not bring.
    public let reset: Bool
    /// The server's clock.
    public let hlc: HLCTimestamp
    /// The server's identity: it changes when the server is restored from a backup.
    public let generation: String?

    /// Creates a pull page.
    public init(
        records: [RecordSnapshot], removed: [RecordID], cursor: String, changeSeq: Int64, more: Bool, reset: Bool,
        hlc: HLCTimestamp, generation: String? = nil
    ) {
        self.generation = generation
        self.records = records
        self.removed = removed
        self.cursor = cursor
        self.changeSeq = changeSeq
        self.more = more
        self.reset = reset
        self.hlc = hlc
    }
}

/// `GET /v1/conflicts`: every open conflict on records visible to the caller.
public struct ConflictsResponse: Codable, Sendable {
    /// The conflicts, by record then field.
    public let conflicts: [Conflict]

    /// Creates a conflicts response.
    public init(conflicts: [Conflict]) { self.conflicts = conflicts }
}

/// One accepted write in a record's audit history.
public struct HistoryEntry: Codable, Sendable, Equatable {
    /// The change sequence number that committed it.
    public let seq: Int64
    /// The write.
    public let write: WriteID
    /// The operation: create, set, add, remove, note, delete, restore.
    public let op: String
    /// The field, for set, add and remove.
    public let field: String?
    /// The value shown before the write (for set).
    public let oldValue: Value?
    /// The value written (for set; the tag for add and remove; the text for note).
    public let newValue: Value?
    /// Who wrote it.
    public let author: String
    /// From which replica.
    public let replica: ReplicaID
    /// The write's timestamp.
    public let hlc: HLCTimestamp
    /// When the server accepted it, in milliseconds since 1970.
    public let acceptedAtMs: Int64

    /// Creates a history entry.
    public init(
        seq: Int64, write: WriteID, op: String, field: String?, oldValue: Value?, newValue: Value?, author: String,
        replica: ReplicaID, hlc: HLCTimestamp, acceptedAtMs: Int64
    ) {
        self.seq = seq
        self.write = write
        self.op = op
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
        self.author = author
        self.replica = replica
        self.hlc = hlc
        self.acceptedAtMs = acceptedAtMs
    }
}

/// `GET /v1/records/{id}/history`: the audit trail of one record.
public struct HistoryResponse: Codable, Sendable {
    /// The record.
    public let record: RecordID
    /// Every accepted write, oldest first.
    public let entries: [HistoryEntry]

    /// Creates a history response.
    public init(record: RecordID, entries: [HistoryEntry]) {
        self.record = record
        self.entries = entries
    }
}
