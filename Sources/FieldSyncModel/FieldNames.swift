/// Old names of renamed fields (`SchemaChange.renamedField`) read as the current ones: in writes, in record states and
/// in what a laptop speaking an older version is sent.
extension Write {
    /// The write with its field under `name`.
    public func renamingField(to name: String) -> Write {
        switch self {
        case .set(let record, _, let value, let bases): .set(record: record, field: name, value: value, bases: bases)
        case .add(let record, _, let element): .add(record: record, field: name, element: element)
        case .remove(let record, _, let element, let bases):
            .remove(record: record, field: name, element: element, bases: bases)
        case .create, .note, .delete, .restore, .merge: self
        }
    }
}

extension Mutation {
    /// The mutation with every field under its current name in `schema`. `entity` tells the entity of a record the
    /// mutation does not create; the writes of a record it cannot tell stay as they are (validation refuses them).
    public func currentNames(in schema: Schema, entity: (RecordID) -> EntityKind?) -> Mutation {
        guard !schema.aliases.isEmpty else { return self }
        var created: [RecordID: EntityKind] = [:]
        var renamed = false
        let writes = writes.map { write -> Write in
            if case .create(let record, let kind) = write { created[record] = kind }
            guard let field = write.field, let kind = created[write.record] ?? entity(write.record) else {
                return write
            }
            let current = schema.currentName(field, of: kind)
            guard current != field else { return write }
            renamed = true
            return write.renamingField(to: current)
        }
        return renamed ? Mutation(replica: replica, seq: seq, hlc: hlc, writes: writes) : self
    }
}

extension RecordState {
    /// The state of field `name`, under its name or, for an old name of a renamed field, under the current one.
    public func field(_ name: String) -> FieldState? { fields[name] ?? fields[currentName(name)] }

    /// The tag set of field `name`, under its name or, for an old name of a renamed field, under the current one.
    public func tagSet(_ name: String) -> TagSet? { tags[name] ?? tags[currentName(name)] }
}

extension FieldState {
    /// Both states' heads and superseded ids: the state of a field written under two names.
    func joined(with other: FieldState) -> FieldState {
        let superseded = superseded.union(other.superseded)
        var heads: [WriteID: Head] = [:]
        for head in self.heads + other.heads where !superseded.contains(head.id) { heads[head.id] = head }
        return FieldState(heads: Array(heads.values), superseded: superseded)
    }
}

extension TagSet {
    /// Both sets' adds and removes: the set of a field written under two names.
    func joined(with other: TagSet) -> TagSet {
        var removed = self.removed
        for (element, ids) in other.removed { removed[element, default: []].formUnion(ids) }
        var adds: [String: [Head]] = [:]
        for (element, heads) in self.adds.merging(other.adds, uniquingKeysWith: +) {
            var byID: [WriteID: Head] = [:]
            for head in heads where removed[element]?.contains(head.id) != true { byID[head.id] = head }
            adds[element] = Array(byID.values)
        }
        return TagSet(adds: adds, removed: removed)
    }
}

extension RecordState {
    /// The current name of this record's field `name` (itself until the entity is known).
    func currentName(_ name: String) -> String {
        guard let entity else { return name }
        return Schema.fieldSync.currentName(name, of: entity)
    }
}

extension Schema {
    /// `conflicts` as a laptop speaking version `number` sees them: those of entities and fields it lacks left out,
    /// renamed fields under the names it gives them.
    public func conflicts(_ conflicts: [Conflict], inVersion number: Int) -> [Conflict] {
        conflicts.compactMap { conflict in
            guard number >= since(conflict.entity) else { return nil }
            guard let field = conflict.field else { return conflict }
            guard let name = name(currentName(field, of: conflict.entity), of: conflict.entity, inVersion: number)
            else { return nil }
            guard name != field else { return conflict }
            return Conflict(
                kind: conflict.kind, record: conflict.record, entity: conflict.entity, field: name,
                heads: conflict.heads, winner: conflict.winner, deletes: conflict.deletes)
        }
    }

    /// The history of a record of `kind` as a laptop speaking version `number` sees it: writes to fields it lacks left
    /// out, fields under the names it gives them (entries recorded before a rename read under the current name).
    public func history(_ entries: [HistoryEntry], of kind: EntityKind, inVersion number: Int) -> [HistoryEntry] {
        entries.compactMap { entry in
            guard let field = entry.field else { return entry }
            guard let name = name(currentName(field, of: kind), of: kind, inVersion: number) else { return nil }
            guard name != field else { return entry }
            return HistoryEntry(
                seq: entry.seq, write: entry.write, op: entry.op, field: name, oldValue: entry.oldValue,
                newValue: entry.newValue, author: entry.author, replica: entry.replica, hlc: entry.hlc,
                acceptedAtMs: entry.acceptedAtMs)
        }
    }
}
