/// The single source of truth for what can be stored: every entity, its fields, their types, limits and merge rules.
///
/// Validation, the CLI, CSV import and the protocol docs all read this table; `Schema.fieldSync` is the one the
/// product uses.
public struct Schema: Sendable {
    /// Every entity, in display order.
    public let entities: [EntitySpec]
    private let byKind: [EntityKind: EntitySpec]
    /// The schema version this table is (`Schema.fieldSync`: the newest; `at(version:)`: an older one).
    public let version: Int
    /// Every version up to this one, oldest first, with what each changed.
    public let versions: [SchemaVersion]
    /// Old names of renamed fields and the names they have in this version, per entity.
    public let aliases: [EntityKind: [String: String]]
    /// The names of the fields that move only forward (`FieldSpec.forwardOnly`), in any entity: a write to another
    /// field needs no workflow check.
    let workflowFields: Set<String>

    /// The most writes one mutation may carry.
    public var maxWritesPerMutation = 500
    /// The most bases one write may name.
    public var maxBasesPerWrite = 64
    /// The longest note accepted, in characters.
    public var maxNoteLength = 4000
    /// The most notes one record keeps; a note past it is refused (`record_too_large`).
    public var maxNotesPerRecord = 1_000
    /// The largest a record may grow as stored (`RecordState.storedSizeEstimate`, 1 MiB): a mutation that would pass it
    /// is refused (`record_too_large`), so no record slows every writer and fills every teammate's pull.
    public var maxRecordBytes = 1 << 20

    /// Creates a schema from entity specifications, as version `version` of the history `versions`.
    public init(entities: [EntitySpec], version: Int = 1, versions: [SchemaVersion] = [SchemaVersion(1, "First")]) {
        self.entities = entities
        self.byKind = Dictionary(uniqueKeysWithValues: entities.map { ($0.kind, $0) })
        self.version = version
        self.versions = versions
        self.aliases = Self.aliases(in: versions)
        self.workflowFields = Set(entities.flatMap { $0.fields.filter(\.forwardOnly).map(\.name) })
    }

    /// The specification of `kind`, which must be one of this schema's entities (`has(_:)`).
    public subscript(kind: EntityKind) -> EntitySpec {
        guard let spec = byKind[kind] else { preconditionFailure("schema has no entity \(kind)") }
        return spec
    }

    /// Whether `kind` is one of this schema's entities (an older version may lack a newer entity).
    public func has(_ kind: EntityKind) -> Bool { byKind[kind] != nil }

    /// The field `name` of `kind` (or of its current name, when `name` is an old one), or an error listing the fields
    /// that exist (or saying this version has no such entity).
    public func field(_ name: String, of kind: EntityKind) throws(ModelError) -> FieldSpec {
        try require(kind).field(currentName(name, of: kind))
    }

    /// The specification of `kind`, or an error saying which version brought it.
    public func require(_ kind: EntityKind) throws(ModelError) -> EntitySpec {
        guard let spec = byKind[kind] else { throw unknownEntity(kind) }
        return spec
    }

    /// The error for an entity this version does not have.
    func unknownEntity(_ kind: EntityKind) -> ModelError {
        ModelError(
            .unknownEntity,
            "Schema version \(version) has no entity '\(kind.rawValue)' (it came in version \(since(kind))): install"
                + " a FieldSync release that speaks it.")
    }

    /// Takes the per-mutation and per-record limits of `other`.
    mutating func copyLimits(from other: Schema) {
        maxWritesPerMutation = other.maxWritesPerMutation
        maxBasesPerWrite = other.maxBasesPerWrite
        maxNoteLength = other.maxNoteLength
        maxNotesPerRecord = other.maxNotesPerRecord
        maxRecordBytes = other.maxRecordBytes
    }
}

/// An opportunity stage on the sales path, with its default probability for the weighted forecast.
public struct OpportunityStage: Hashable, Sendable {
    /// The stage name as stored.
    public let name: String
    /// The default probability of winning, in percent.
    public let probability: Int
    /// Whether the stage ends the opportunity (won or lost).
    public var isTerminal: Bool { name == "won" || name == "lost" }

    /// The sales path in order: prospecting → … → closing → won | lost.
    public static let all: [OpportunityStage] = [
        .init(name: "prospecting", probability: 10),
        .init(name: "qualifying", probability: 20),
        .init(name: "approaching", probability: 30),
        .init(name: "presenting", probability: 50),
        .init(name: "objections", probability: 60),
        .init(name: "closing", probability: 80),
        .init(name: "won", probability: 100),
        .init(name: "lost", probability: 0),
    ]

    /// The stage named `name`, if it exists.
    public static func named(_ name: String) -> OpportunityStage? { all.first { $0.name == name } }
}

/// The steps of the complaint workflow, in order (accepted and rejected are alternatives at the same step).
public enum ComplaintStep {
    /// Step names with their position in the workflow.
    public static let ranks: [String: Int] = [
        "recorded": 0, "accepted": 1, "rejected": 1, "assigned": 2, "analysed": 3, "proposed": 4, "approved": 5,
        "implemented": 6, "evaluated": 7,
    ]
    /// Step names in workflow order.
    public static let names = ranks.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
}
