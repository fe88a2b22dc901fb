/// The compact JSON form of a record's state, used on the wire (pull pages) and in both sides' storage.
///
/// Writes of one mutation share a replica, a seq, a timestamp and an author, so those are stored once in the table
/// `m` (`[replica, seq, wallMs, counter, author]`, plus the timestamp's replica when it differs), and every head,
/// note, delete and the creation refer to a row of it as `[row, writeIndex, …]`. A customer card written by one
/// mutation thus carries its origin once, not once per field. Keys: `e` entity, `c` creation, `f` field heads,
/// `x` superseded ids per field, `a` live tag adds per field (`[row, writeIndex, element]`), `y` removed tag adds per
/// field and element, `n` notes, `d` live deletes, `r` restored deletes, `k` keeps (the restores themselves, live
/// writes a later delete must have seen), `g` the merge that made the record a redirect (`[row, writeIndex, into]`).
/// Empty parts are left out. `x`, `y` and `r` appear only in states merged from
/// writes that arrived before their bases: the server never stores or sends them. States written before tag adds
/// carried their origin held them as `t` (`{field: {element: [write ids]}}`); they are still read.
extension RecordState: Codable {
    private enum Key: String, CodingKey { case e, m, c, f, x, a, t, y, n, d, r, k, g }

    /// One row of the origin table: the mutation a write came from (shared with the compact writer).
    struct Origin: Hashable, Codable {
        let replica: ReplicaID
        let seq: UInt64
        let wallMs: Int64
        let counter: UInt32
        let author: String
        let stampReplica: ReplicaID

        init(id: WriteID, hlc: HLCTimestamp, author: String) {
            replica = id.replica
            seq = id.seq
            wallMs = hlc.wallMs
            counter = hlc.counter
            self.author = author
            stampReplica = hlc.replica
        }

        func id(_ index: UInt32) -> WriteID { WriteID(replica: replica, seq: seq, index: index) }
        var hlc: HLCTimestamp { HLCTimestamp(wallMs: wallMs, counter: counter, replica: stampReplica) }

        init(from decoder: any Decoder) throws {
            var row = try decoder.unkeyedContainer()
            replica = try row.decode(ReplicaID.self)
            seq = try row.decode(UInt64.self)
            wallMs = try row.decode(Int64.self)
            counter = try row.decode(UInt32.self)
            author = try row.decode(String.self)
            stampReplica = row.isAtEnd ? replica : try row.decode(ReplicaID.self)
        }

        func encode(to encoder: any Encoder) throws {
            var row = encoder.unkeyedContainer()
            try row.encode(replica)
            try row.encode(seq)
            try row.encode(wallMs)
            try row.encode(counter)
            try row.encode(author)
            if stampReplica != replica { try row.encode(stampReplica) }
        }
    }

    /// `[row, writeIndex, payload]`: a head (payload a value), a note (text) or a delete (seen ids).
    private struct Row<Payload: Codable>: Codable {
        let origin: Int
        let index: UInt32
        let payload: Payload

        init(origin: Int, index: UInt32, payload: Payload) {
            self.origin = origin
            self.index = index
            self.payload = payload
        }

        init(from decoder: any Decoder) throws {
            var row = try decoder.unkeyedContainer()
            origin = try row.decode(Int.self)
            index = try row.decode(UInt32.self)
            payload = try row.decode(Payload.self)
        }

        func encode(to encoder: any Encoder) throws {
            var row = encoder.unkeyedContainer()
            try row.encode(origin)
            try row.encode(index)
            try row.encode(payload)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var origins: [Origin] = []
        var rows: [Origin: Int] = [:]
        func row(_ id: WriteID, _ hlc: HLCTimestamp, _ author: String) -> Int {
            let origin = Origin(id: id, hlc: hlc, author: author)
            if let existing = rows[origin] { return existing }
            rows[origin] = origins.count
            origins.append(origin)
            return origins.count - 1
        }
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(entity, forKey: .e)
        if let creation {
            try container.encode([row(creation.id, creation.hlc, creation.author), Int(creation.id.index)], forKey: .c)
        }
        var heads: [String: [Row<Value>]] = [:]
        var superseded: [String: [WriteID]] = [:]
        for (name, state) in fields {
            heads[name] = state.heads.map {
                Row(origin: row($0.id, $0.hlc, $0.author), index: $0.id.index, payload: $0.value)
            }
            if !state.superseded.isEmpty { superseded[name] = state.superseded.sorted() }
        }
        if !heads.isEmpty { try container.encode(heads, forKey: .f) }
        if !superseded.isEmpty { try container.encode(superseded, forKey: .x) }
        let adds = tags.compactMapValues { set -> [Row<Value>]? in
            let heads = set.liveAdds.sorted { $0.id < $1.id }
            return heads.isEmpty
                ? nil : heads.map { Row(origin: row($0.id, $0.hlc, $0.author), index: $0.id.index, payload: $0.value) }
        }
        if !adds.isEmpty { try container.encode(adds, forKey: .a) }
        let removed = tags.compactMapValues { set in set.removed.isEmpty ? nil : set.removed.mapValues { $0.sorted() } }
        if !removed.isEmpty { try container.encode(removed, forKey: .y) }
        if !notes.isEmpty {
            try container.encode(
                notes.map { Row(origin: row($0.id, $0.hlc, $0.author), index: $0.id.index, payload: $0.text) },
                forKey: .n)
        }
        if !deletes.isEmpty {
            try container.encode(
                deletes.map { Row(origin: row($0.id, $0.hlc, $0.author), index: $0.id.index, payload: $0.seen) },
                forKey: .d)
        }
        if !restored.isEmpty { try container.encode(restored.sorted(), forKey: .r) }
        if !keeps.isEmpty {
            try container.encode(
                keeps.map { Row(origin: row($0.id, $0.hlc, $0.author), index: $0.id.index, payload: $0.value) },
                forKey: .k)
        }
        if let merged {
            try container.encode(
                Row(origin: row(merged.id, merged.hlc, merged.author), index: merged.id.index, payload: merged.value),
                forKey: .g)
        }
        if !origins.isEmpty { try container.encode(origins, forKey: .m) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.contains(.e) else {
            // Every state that is stored or sent has its entity; anything else is another format, not an empty record.
            throw DecodingError.keyNotFound(
                Key.e, .init(codingPath: decoder.codingPath, debugDescription: "A record state needs its entity (e)."))
        }
        let origins = try container.decodeIfPresent([Origin].self, forKey: .m) ?? []
        func origin(_ index: Int) throws -> Origin {
            guard origins.indices.contains(index) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .m, in: container, debugDescription: "Row \(index) of the origin table does not exist.")
            }
            return origins[index]
        }
        var creation: Head?
        if let pair = try container.decodeIfPresent([Int].self, forKey: .c), pair.count == 2 {
            let source = try origin(pair[0])
            let entity = try container.decodeIfPresent(EntityKind.self, forKey: .e)
            creation = Head(
                id: source.id(UInt32(clamping: pair[1])), value: .text(entity?.rawValue ?? ""), hlc: source.hlc,
                author: source.author)
        }
        let superseded = try container.decodeIfPresent([String: [WriteID]].self, forKey: .x) ?? [:]
        var fields: [String: FieldState] = [:]
        for (name, rows) in try container.decodeIfPresent([String: [Row<Value>]].self, forKey: .f) ?? [:] {
            let heads = try rows.map { row in
                let source = try origin(row.origin)
                return Head(id: source.id(row.index), value: row.payload, hlc: source.hlc, author: source.author)
            }
            fields[name] = FieldState(heads: heads, superseded: Set(superseded[name] ?? []))
        }
        var adds: [String: [String: [Head]]] = [:]
        for (name, rows) in try container.decodeIfPresent([String: [Row<Value>]].self, forKey: .a) ?? [:] {
            for row in rows {
                let source = try origin(row.origin)
                let head = Head(id: source.id(row.index), value: row.payload, hlc: source.hlc, author: source.author)
                adds[name, default: [:]][row.payload.text ?? "", default: []].append(head)
            }
        }
        for (name, elements) in try container.decodeIfPresent([String: [String: [WriteID]]].self, forKey: .t) ?? [:] {
            for (element, ids) in elements {
                adds[name, default: [:]][element, default: []] += ids.map {
                    Head(
                        id: $0, value: .text(element), hlc: HLCTimestamp(wallMs: 0, counter: 0, replica: $0.replica),
                        author: "")
                }
            }
        }
        let removed = try container.decodeIfPresent([String: [String: [WriteID]]].self, forKey: .y) ?? [:]
        var tags: [String: TagSet] = [:]
        for name in Set(adds.keys).union(removed.keys) {
            tags[name] = TagSet(adds: adds[name] ?? [:], removed: (removed[name] ?? [:]).mapValues { Set($0) })
        }
        let notes = try (container.decodeIfPresent([Row<String>].self, forKey: .n) ?? []).map { row in
            let source = try origin(row.origin)
            return NoteEntry(id: source.id(row.index), hlc: source.hlc, author: source.author, text: row.payload)
        }
        let deletes = try (container.decodeIfPresent([Row<[WriteID]>].self, forKey: .d) ?? []).map { row in
            let source = try origin(row.origin)
            return DeleteMarker(id: source.id(row.index), hlc: source.hlc, author: source.author, seen: row.payload)
        }
        let keeps = try (container.decodeIfPresent([Row<Value>].self, forKey: .k) ?? []).map { row in
            let source = try origin(row.origin)
            return Head(id: source.id(row.index), value: row.payload, hlc: source.hlc, author: source.author)
        }
        let merged = try container.decodeIfPresent(Row<Value>.self, forKey: .g).map { row in
            let source = try origin(row.origin)
            return Head(id: source.id(row.index), value: row.payload, hlc: source.hlc, author: source.author)
        }
        self.init(
            entity: try container.decodeIfPresent(EntityKind.self, forKey: .e), creation: creation, fields: fields,
            tags: tags, notes: notes, deletes: deletes,
            restored: Set(try container.decodeIfPresent([WriteID].self, forKey: .r) ?? []), keeps: keeps,
            merged: merged)  // Stored before a field was renamed: read under the current name.
        renameOldFields()
    }
}
