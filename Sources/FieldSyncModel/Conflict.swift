/// A conflict to review: a field with several heads, or a delete that an unseen edit kept from taking effect.
///
/// Conflicts are derived from state, never stored separately: every replica that has seen the same writes lists
/// the same conflicts with the same winner. Resolving one is an ordinary write whose bases are all its heads (for a
/// delete conflict: a `restore` naming the deletes, or a new `delete` that has seen every head).
public struct Conflict: Hashable, Sendable, Codable, Identifiable {
    /// What kind of conflict it is.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// Concurrent writes to one field.
        case value
        /// A delete concurrent with edits the deleter had not seen; the record is kept alive.
        case delete
    }

    /// `record/field` for a value conflict, `record/delete` for a delete conflict.
    public let id: String
    /// The kind.
    public let kind: Kind
    /// The record.
    public let record: RecordID
    /// The record's entity.
    public let entity: EntityKind
    /// The field, for a value conflict.
    public let field: String?
    /// Every head: the concurrent values with who wrote them and when (for a delete conflict, the unseen edits).
    public let heads: [Head]
    /// The head shown as the field's value, for a value conflict.
    public let winner: WriteID?
    /// The deletes, for a delete conflict.
    public let deletes: [DeleteMarker]

    /// Creates a conflict.
    public init(
        kind: Kind, record: RecordID, entity: EntityKind, field: String?, heads: [Head], winner: WriteID?,
        deletes: [DeleteMarker]
    ) {
        self.id = "\(record.rawValue)/\(field ?? "delete")"
        self.kind = kind
        self.record = record
        self.entity = entity
        self.field = field
        self.heads = heads
        self.winner = winner
        self.deletes = deletes
    }
}

extension RecordState {
    /// The conflicts of this record, value conflicts by field name then the delete conflict, fields named as
    /// `schema`'s version names them.
    public func conflicts(of record: RecordID, schema: Schema = .fieldSync) -> [Conflict] {
        guard let entity, merged == nil else { return [] }
        var result = fields.keys.sorted().compactMap { name -> Conflict? in
            guard let state = fields[name], state.isConflict else { return nil }
            return Conflict(
                kind: .value, record: record, entity: entity, field: name, heads: state.heads,
                winner: state.winner(rule(for: name, schema: schema))?.id, deletes: [])
        }
        if !deletes.isEmpty, !isDeleted {
            // Every unseen live write with its value, author and time: field heads, tag adds, notes and keeps.
            let edits = unseenByDeletes
            result.append(
                Conflict(
                    kind: .delete, record: record, entity: entity, field: nil, heads: edits, winner: nil,
                    deletes: deletes))
        }
        // An older version's laptop names renamed fields as its version does.
        return schema.version < Schema.fieldSync.version
            ? Schema.fieldSync.conflicts(result, inVersion: schema.version) : result
    }
}
