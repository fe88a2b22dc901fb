/// Everything known about one record: its entity, field heads, tag sets, notes and deletes.
///
/// `apply` is the merge: a pure state transition per write. Applying the same write twice changes nothing, and the
/// resulting state does not depend on the order writes arrive in.
public struct RecordState: Hashable, Sendable {
    /// The entity, known once a create has arrived: that of the earliest create (by HLC, then write id), so two
    /// creates of one id with different entities give the same record in either arrival order.
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
    /// The merge that made this record a redirect: its value the id of the record it was merged into (`RecordMerge`).
    public private(set) var merged: Head?

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
        self.merged = nil
    }

    /// Creates a record state from its parts (used by the compact decoder).
    init(
        entity: EntityKind?, creation: Head?, fields: [String: FieldState], tags: [String: TagSet], notes: [NoteEntry],
        deletes: [DeleteMarker], restored: Set<WriteID>, keeps: [Head], merged: Head? = nil
    ) {
        self.entity = entity
        self.creation = creation
        self.fields = fields
        self.tags = tags
        self.notes = notes
        self.deletes = deletes
        self.restored = restored
        self.keeps = keeps
        self.merged = merged
    }

    /// The merge: applies write `write`, identified by `id`, made at `hlc` by `author`; returns whether the state
    /// changed.
    ///
    /// The write is assumed valid (see `Schema.validate`). Of several creates, the earliest names the entity.
    @discardableResult
    public mutating func apply(_ write: Write, id: WriteID, hlc: HLCTimestamp, author: String) -> Bool {
        switch write {
        case .create(_, let entity):
            let entry = Head(id: id, value: .text(entity.rawValue), hlc: hlc, author: author)
            if let existing = creation, (existing.hlc, existing.id) <= (hlc, id) { return false }
            self.entity = entity
            creation = entry
            return true
        case .set(_, let field, let value, let bases):
            return fields[currentName(field), default: FieldState()]
                .apply(Head(id: id, value: value, hlc: hlc, author: author), bases: bases)
        case .add(_, let field, let element):
            return tags[currentName(field), default: TagSet()]
                .add(Head(id: id, value: .text(element), hlc: hlc, author: author))
        case .remove(_, let field, let element, let bases):
            guard !bases.isEmpty else { return false }
            return tags[currentName(field), default: TagSet()].remove(element, bases: bases)
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
        case .merge(_, let into):
            // The earliest merge names the record this one redirects to (the server applies only the first).
            if let existing = merged, (existing.hlc, existing.id) <= (hlc, id) { return false }
            merged = Head(id: id, value: .text(into.rawValue), hlc: hlc, author: author)
            return true
        }
    }

    /// Takes in everything `other` holds (a duplicate being merged into this record): its field heads except
    /// `RecordMerge.keptFields`, its tag adds and its notes, with their ids, values, authors and times. Returns
    /// whether this state changed.
    ///
    /// Absorbing is a union: doing it twice changes nothing, and a write that reached the duplicate before the merge
    /// ends where one redirected after it does.
    @discardableResult
    public mutating func absorb(_ other: RecordState) -> Bool {
        var changed = false
        for (name, state) in other.fields where !RecordMerge.keptFields.contains(name) {
            for head in state.heads {
                changed = fields[name, default: FieldState()].apply(head, bases: Array(state.superseded)) || changed
            }
        }
        for (name, set) in other.tags {
            for add in set.liveAdds { changed = tags[name, default: TagSet()].add(add) || changed }
        }
        for note in other.notes where !notes.contains(where: { $0.id == note.id }) {
            let position = notes.firstIndex { (note.hlc, note.id) < ($0.hlc, $0.id) } ?? notes.endIndex
            notes.insert(note, at: position)
            changed = true
        }
        return changed
    }

    /// Forgets the ids of writes that later writes superseded (field bases, removed tag adds, restored deletes).
    ///
    /// They matter only where a write can arrive after a write that had seen it. The server refuses a base it does not
    /// hold, so every write reaches it after its bases: it calls this after each merge and never stores or sends them,
    /// and a record's state stays the size of its live writes.
    public mutating func forgetSuperseded() {
        for (name, state) in fields where !state.superseded.isEmpty { fields[name] = FieldState(heads: state.heads) }
        for (name, set) in tags where !set.removed.isEmpty {
            var set = set
            set.forgetRemoved()
            tags[name] = set.adds.isEmpty ? nil : set
        }
        if !restored.isEmpty { restored = [] }
    }

    /// Whether the record exists: created, not merged into another, and not deleted by deletes that saw every live
    /// head.
    public var exists: Bool { entity != nil && merged == nil && !isDeleted }

    /// The record this one was merged into, if it is a redirect.
    public var redirect: RecordID? { merged?.value.text.map(RecordID.init(trusted:)) }

    /// Whether live deletes cover every live head of the record.
    public var isDeleted: Bool {
        guard !deletes.isEmpty else { return false }
        return unseenByDeletes.isEmpty
    }

    /// Every live head: field heads, tag adds, notes (their text as value) and keeps, by write id.
    public var liveHeads: [Head] {
        let notesAsHeads = notes.map { Head(id: $0.id, value: .text($0.text), hlc: $0.hlc, author: $0.author) }
        return (fields.values.flatMap(\.heads) + tags.values.flatMap(\.liveAdds) + notesAsHeads + keeps)
            .sorted { $0.id < $1.id }
    }

    /// Ids of every live head (what a delete must have seen).
    public var liveWriteIDs: [WriteID] { liveHeads.map(\.id) }

    /// Live heads no live delete had seen (what keeps a deleted record alive, and what a delete conflict lists).
    public var unseenByDeletes: [Head] {
        let seen = Set(deletes.flatMap(\.seen))
        return liveHeads.filter { !seen.contains($0.id) }
    }

    /// The value of scalar field `name` shown under the schema's rule (`.null` when never set).
    public func value(_ name: String, schema: Schema = .fieldSync) -> Value {
        guard let state = field(name) else { return .null }
        // One head is its own winner under every rule (the common case, and no schema lookup).
        if state.heads.count == 1 { return state.heads[0].value }
        return state.value(rule(for: name, schema: schema))
    }

    /// The elements of tag-set field `name`.
    public func elements(_ name: String) -> [String] { tagSet(name)?.elements ?? [] }

    /// The winner rule of field `name` in `schema` (`latest` until the entity is known).
    public func rule(for name: String, schema: Schema) -> WinnerRule {
        entity.flatMap { try? schema.field(name, of: $0).rule } ?? .latest
    }
}

extension RecordState {
    /// Field and tag states stored under old names of renamed fields (data written before the rename) moved to the
    /// current names, joined with what is already there.
    mutating func renameOldFields() {
        guard let entity, let aliases = Schema.fieldSync.aliases[entity] else { return }
        for (old, new) in aliases {
            if let state = fields.removeValue(forKey: old) {
                fields[new] = fields[new].map { $0.joined(with: state) } ?? state
            }
            if let set = tags.removeValue(forKey: old) {
                tags[new] = tags[new].map { $0.joined(with: set) } ?? set
            }
        }
    }

    /// The state as a laptop speaking `schema`'s (older) version sees it: the fields that version does not have left
    /// out, renamed fields under the name that version gives them, everything else as it is (a choice value added
    /// later stays as written, never replaced by a known one). `nil` for a record of an entity that version does not
    /// have. The server keeps the whole state: the laptop's edits are field by field, so they never clear what it was
    /// not shown.
    public func seen(by schema: Schema) -> RecordState? {
        guard let entity else { return self }
        guard schema.has(entity) else { return nil }
        let spec = schema[entity]
        guard fields.keys.contains(where: { spec[$0] == nil }) || tags.keys.contains(where: { spec[$0] == nil })
        else { return self }
        // Fields the version lacks are left out; a renamed field goes under the name the version gives it.
        func named<T>(_ states: [String: T]) -> [String: T] {
            var named: [String: T] = [:]
            for (name, state) in states {
                guard let old = Schema.fieldSync.name(name, of: entity, inVersion: schema.version) else { continue }
                named[old] = state
            }
            return named
        }
        return RecordState(
            entity: entity, creation: creation, fields: named(fields), tags: named(tags), notes: notes,
            deletes: deletes, restored: restored, keeps: keeps, merged: merged)
    }
}
