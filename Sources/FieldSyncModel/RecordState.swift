/// Everything known about one record: its entity, field heads, tag sets, notes and deletes.
///
/// `apply` is the merge: a pure state transition per write. Applying the same write twice changes nothing, and the
/// resulting state does not depend on the order writes arrive in.
public struct RecordState: Hashable, Sendable {
    /// The entity, known once the create has arrived.
    public private(set) var entity: EntityKind?
    /// The write that created the record, its value the entity name (the earliest, should two replicas create the
    /// same id).
    public private(set) var creation: Head?
    /// Scalar fields by name.
    public private(set) var fields: [String: FieldState]
    /// Tag-set fields by name.
    public private(set) var tags: [String: TagSet]
    /// The notes log, ordered by (HLC, write id).
    public private(set) var notes: [NoteEntry]
    /// Live deletes (not overridden by a restore).
    public private(set) var deletes: [DeleteMarker]
    /// Ids of deletes overridden by restores.
    public private(set) var restored: Set<WriteID>
    /// The restores ("keep this record") themselves, by id: live writes a later delete must have seen, so a keep and a
    /// concurrent delete stay in conflict instead of the delete winning unseen.
    public private(set) var keeps: [Head]

    /// Creates an empty record state (nothing applied).
    public init() {
        self.entity = nil
        self.creation = nil
        self.fields = [:]
        self.tags = [:]
        self.notes = []
        self.deletes = []
        self.restored = []
        self.keeps = []
    }

    /// Creates a record state from its parts (used by the compact decoder).
    init(
        entity: EntityKind?, creation: Head?, fields: [String: FieldState], tags: [String: TagSet], notes: [NoteEntry],
        deletes: [DeleteMarker], restored: Set<WriteID>, keeps: [Head]
    ) {
        self.entity = entity
        self.creation = creation
        self.fields = fields
        self.tags = tags
        self.notes = notes
        self.deletes = deletes
        self.restored = restored
        self.keeps = keeps
    }

    /// The merge: applies write `write`, identified by `id`, made at `hlc` by `author`; returns whether the state
    /// changed.
    ///
    /// The write is assumed valid (see `Schema.validate`); an `entity` that contradicts the stored one is ignored.
    @discardableResult
    public mutating func apply(_ write: Write, id: WriteID, hlc: HLCTimestamp, author: String) -> Bool {
        switch write {
        case .create(_, let entity):
            let entry = Head(id: id, value: .text(entity.rawValue), hlc: hlc, author: author)
            if let existing = creation, (existing.hlc, existing.id) <= (hlc, id) { return false }
            if let known = self.entity, known != entity { return false }
            self.entity = entity
            creation = entry
            return true
        case .set(_, let field, let value, let bases):
            return fields[field, default: FieldState()]
                .apply(Head(id: id, value: value, hlc: hlc, author: author), bases: bases)
        case .add(_, let field, let element):
            return tags[field, default: TagSet()].add(element, id: id)
        case .remove(_, let field, let element, let bases):
            guard !bases.isEmpty || tags[field] != nil else { return false }
            return tags[field, default: TagSet()].remove(element, bases: bases)
        case .note(_, let text):
            guard !notes.contains(where: { $0.id == id }) else { return false }
            let entry = NoteEntry(id: id, hlc: hlc, author: author, text: text)
            let position = notes.firstIndex { (entry.hlc, entry.id) < ($0.hlc, $0.id) } ?? notes.endIndex
            notes.insert(entry, at: position)
            return true
        case .delete(_, let bases):
            guard !restored.contains(id), !deletes.contains(where: { $0.id == id }) else { return false }
            deletes.append(DeleteMarker(id: id, hlc: hlc, author: author, seen: bases))
            deletes.sort { $0.id < $1.id }
            return true
        case .restore(_, let bases):
            let before = deletes.count
            restored.formUnion(bases)
            deletes.removeAll { restored.contains($0.id) }
            guard !keeps.contains(where: { $0.id == id }) else { return deletes.count != before }
            keeps.append(Head(id: id, value: .text("keep"), hlc: hlc, author: author))
            keeps.sort { $0.id < $1.id }
            return true
        }
    }

    /// Whether the record exists: created, and not deleted by deletes that saw every live head.
    public var exists: Bool { entity != nil && !isDeleted }

    /// Whether live deletes cover every live head of the record.
    public var isDeleted: Bool {
        guard !deletes.isEmpty else { return false }
        return unseenByDeletes.isEmpty
    }

    /// Ids of every live head: field heads, tag adds, notes and keeps (what a delete must have seen).
    public var liveWriteIDs: [WriteID] {
        let fieldHeads = fields.values.flatMap { $0.heads.map(\.id) }
        return (fieldHeads + tags.values.flatMap(\.liveIDs) + notes.map(\.id) + keeps.map(\.id)).sorted()
    }

    /// Live heads no live delete had seen (what keeps a deleted record alive).
    public var unseenByDeletes: [WriteID] {
        let seen = Set(deletes.flatMap(\.seen))
        return liveWriteIDs.filter { !seen.contains($0) }
    }

    /// The value of scalar field `name` shown under the schema's rule (`.null` when never set).
    public func value(_ name: String, schema: Schema = .fieldSync) -> Value {
        guard let state = fields[name] else { return .null }
        return state.value(rule(for: name, schema: schema))
    }

    /// The elements of tag-set field `name`.
    public func elements(_ name: String) -> [String] { tags[name]?.elements ?? [] }

    /// The winner rule of field `name` in `schema` (`latest` until the entity is known).
    public func rule(for name: String, schema: Schema) -> WinnerRule {
        entity.flatMap { schema[$0][name]?.rule } ?? .latest
    }
}
