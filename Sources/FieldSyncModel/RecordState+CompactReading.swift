extension RecordState {
    /// Reads the compact JSON form (`compactJSON()`, or the same object in any key order) in one pass, without
    /// Foundation's `JSONDecoder`: every pulled page and every record a push merges into is read so.
    ///
    /// It reads what servers store and send (`e`, `m`, `c`, `f`, `a`, `n`, `d`, `k`, `g`) and answers `nil` for
    /// anything else (`x`, `y`, `r`, the old `t`, a repeated key, a row the origin table lacks): `Codable` then reads
    /// it, or says what is wrong with it. The property tests compare the two.
    public init?(compactJSON bytes: [UInt8]) {
        var reader = JSONReader(bytes)
        guard let state = reader.recordState(), reader.atEnd() else { return nil }
        self = state
    }
}

extension JSONReader {
    /// `[row, writeIndex, payload]`, the row not yet looked up in the origin table (it may come later).
    private struct Row<Payload> {
        let origin: Int
        let index: UInt32
        let payload: Payload
    }

    mutating func recordState() -> RecordState? {
        var entity: EntityKind?
        var origins: [RecordState.Origin]?
        var creation: [Int64]?
        var fields: [String: [Row<Value>]]?
        var adds: [String: [Row<Value>]]?
        var notes: [Row<String>]?
        var deletes: [Row<[WriteID]>]?
        var keeps: [Row<Value>]?
        var merged: Row<Value>?
        var keys: Set<String> = []
        let read = object { reader, key in
            guard keys.insert(key).inserted else { return false }
            switch key {
            case "e": entity = reader.string().flatMap(EntityKind.init(rawValue:))
            case "m": origins = reader.array { reader in reader.origin() }
            case "c": creation = reader.array { reader in reader.integer() }
            case "f": fields = reader.members { reader in reader.array { reader in reader.row { $0.value() } } }
            case "a": adds = reader.members { reader in reader.array { reader in reader.row { $0.value() } } }
            case "n": notes = reader.array { reader in reader.row { $0.string() } }
            case "d": deletes = reader.array { reader in reader.row { $0.writeIDs() } }
            case "k": keeps = reader.array { reader in reader.row { $0.value() } }
            case "g": merged = reader.row { $0.value() }
            default: return false
            }
            switch key {
            case "e": return entity != nil
            case "m": return origins != nil
            case "c": return creation != nil
            case "f": return fields != nil
            case "a": return adds != nil
            case "n": return notes != nil
            case "d": return deletes != nil
            case "k": return keeps != nil
            default: return merged != nil
            }
        }
        guard read, let entity else { return nil }
        let table = origins ?? []
        // Each row looked up in the origin table; a row the table lacks refuses the whole state.
        func resolved<Payload, T>(_ rows: [Row<Payload>]?, _ make: (RecordState.Origin, Row<Payload>) -> T) -> [T]? {
            var made: [T] = []
            for row in rows ?? [] {
                guard table.indices.contains(row.origin) else { return nil }
                made.append(make(table[row.origin], row))
            }
            return made
        }
        func head(_ source: RecordState.Origin, _ row: Row<Value>) -> Head {
            Head(id: source.id(row.index), value: row.payload, hlc: source.hlc, author: source.author)
        }
        var creationHead: Head?
        if let creation, creation.count == 2 {
            guard let row = Int(exactly: creation[0]), table.indices.contains(row) else { return nil }
            let source = table[row]
            creationHead = Head(
                id: source.id(UInt32(clamping: creation[1])), value: .text(entity.rawValue), hlc: source.hlc,
                author: source.author)
        }
        var fieldStates: [String: FieldState] = [:]
        for (name, rows) in fields ?? [:] {
            guard let heads = resolved(rows, head) else { return nil }
            fieldStates[name] = FieldState(heads: heads)
        }
        var tags: [String: TagSet] = [:]
        for (name, rows) in adds ?? [:] {
            guard let heads = resolved(rows, head) else { return nil }
            tags[name] = TagSet(adds: Dictionary(grouping: heads) { $0.value.text ?? "" })
        }
        guard
            let noteEntries = resolved(
                notes,
                { source, row in
                    NoteEntry(id: source.id(row.index), hlc: source.hlc, author: source.author, text: row.payload)
                }),
            let markers = resolved(
                deletes,
                { source, row in
                    DeleteMarker(id: source.id(row.index), hlc: source.hlc, author: source.author, seen: row.payload)
                }),
            let keepHeads = resolved(keeps, head), let mergedHeads = resolved(merged.map { [$0] }, head)
        else { return nil }
        var state = RecordState(
            entity: entity, creation: creationHead, fields: fieldStates, tags: tags, notes: noteEntries,
            deletes: markers, restored: [], keeps: keepHeads, merged: mergedHeads.first)
        state.renameOldFields()
        return state
    }

    /// An object whose every member `member` reads; a repeated key is refused.
    private mutating func members<T>(_ member: (inout JSONReader) -> T?) -> [String: T]? {
        var members: [String: T] = [:]
        let read = object { reader, key in
            guard members[key] == nil, let value = member(&reader) else { return false }
            members[key] = value
            return true
        }
        return read ? members : nil
    }

    /// `[row, writeIndex, payload]`.
    private mutating func row<Payload>(_ payload: (inout JSONReader) -> Payload?) -> Row<Payload>? {
        guard take(UInt8(ascii: "[")), let origin = integer().flatMap({ Int(exactly: $0) }), take(UInt8(ascii: ",")),
            let index = integer().flatMap({ UInt32(exactly: $0) }), take(UInt8(ascii: ",")),
            let payload = payload(&self), take(UInt8(ascii: "]"))
        else { return nil }
        return Row(origin: origin, index: index, payload: payload)
    }

    /// `[replica, seq, wallMs, counter, author]`, and the timestamp's replica when it differs.
    private mutating func origin() -> RecordState.Origin? {
        guard take(UInt8(ascii: "[")), let replica = string().flatMap({ try? ReplicaID($0) }),
            take(UInt8(ascii: ",")), let seq = integer().flatMap({ UInt64(exactly: $0) }), take(UInt8(ascii: ",")),
            let wallMs = integer(), take(UInt8(ascii: ",")), let counter = integer().flatMap({ UInt32(exactly: $0) }),
            take(UInt8(ascii: ",")), let author = string()
        else { return nil }
        var stamp = replica
        if take(UInt8(ascii: ",")) {
            guard let other = string().flatMap({ try? ReplicaID($0) }) else { return nil }
            stamp = other
        }
        guard take(UInt8(ascii: "]")) else { return nil }
        return RecordState.Origin(
            id: WriteID(replica: replica, seq: seq, index: 0),
            hlc: HLCTimestamp(wallMs: wallMs, counter: counter, replica: stamp), author: author)
    }

    /// An array of write ids as text.
    mutating func writeIDs() -> [WriteID]? {
        array { reader in reader.string().flatMap { try? WriteID(parsing: $0) } }
    }
}
