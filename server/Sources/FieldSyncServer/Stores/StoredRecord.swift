import FieldSyncModel

/// A record as the server stores it: its merged state plus the columns pulls and authorization query.
public struct StoredRecord: Sendable, Equatable {
    /// The record.
    public let id: RecordID
    /// Its entity.
    public let entity: EntityKind
    /// The territory deciding who sees it: a customer's own, a child record's customer's.
    public var territory: String
    /// The change sequence number of its latest change.
    public var version: Int64
    /// The merged state.
    public var state: RecordState

    /// Creates a stored record.
    public init(id: RecordID, entity: EntityKind, territory: String, version: Int64, state: RecordState) {
        self.id = id
        self.entity = entity
        self.territory = territory
        self.version = version
        self.state = state
    }

    /// The customer a child record belongs to.
    public var customer: RecordID? {
        entity == .customer ? nil : state.value("customer").text.flatMap { try? RecordID($0) }
    }

    /// Whether the record is deleted (kept as a tombstone so pulls can announce the removal). A customer merged into
    /// another is not: it is pulled whole as a redirect, so laptops follow it to the card kept.
    public var deleted: Bool { !state.exists && state.merged == nil }

    /// How many conflicts the record has open.
    public var conflictCount: Int { state.conflicts(of: id).count }

    /// The snapshot a pull sends.
    public var snapshot: RecordSnapshot {
        RecordSnapshot(id: id, territory: territory, version: version, state: state)
    }
}
