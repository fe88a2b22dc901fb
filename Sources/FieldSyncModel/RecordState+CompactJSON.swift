extension RecordState {
    /// The compact JSON form (the same as `encode(to:)` produces), written directly as bytes.
    ///
    /// Foundation's `JSONEncoder` spends most of a push's time on record states; this writer is an order of magnitude
    /// faster. The property tests check that `JSONDecoder` reads back exactly the state written.
    public func compactJSON() -> [UInt8] {
        var writer = CompactWriter()
        writer.write(self)
        return writer.out
    }
}

extension RecordState {
    /// Byte strings one of which appears in the compact JSON of every state that `seen(by: older)` changes: the key
    /// of a field `older` lacks (`"wechat":`), or the entity of a record it lacks (`"e":"lineItem"`). A stored state
    /// holding none of them goes to a laptop speaking `older` as it is, without being read.
    public static func compactMarkers(ofWhat older: Schema, lacks newer: Schema) -> [[UInt8]] {
        var markers: Set<String> = []
        for entity in newer.entities {
            guard older.has(entity.kind) else {
                markers.insert(#""e":"\#(entity.kind.rawValue)""#)
                continue
            }
            for field in entity.fields where older[entity.kind][field.name] == nil {
                markers.insert(#""\#(field.name)":"#)
            }
        }
        return markers.sorted().map { Array($0.utf8) }
    }
}

/// Writes a `RecordState` as compact JSON bytes.
private struct CompactWriter {
    var out: [UInt8] = []
    private var rows: [RecordState.Origin: Int] = [:]
    private var origins: [RecordState.Origin] = []

    init() { out.reserveCapacity(512) }

    mutating func write(_ state: RecordState) {
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: String, _ out: inout [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            out += name.utf8
            out += [UInt8(ascii: "\""), UInt8(ascii: ":")]
        }
        if let entity = state.entity {
            key("e", &out)
            string(entity.rawValue)
        }
        if let creation = state.creation {
            key("c", &out)
            let row = row(creation.id, creation.hlc, creation.author)
            out += "[\(row),\(creation.id.index)]".utf8
        }
        if !state.fields.isEmpty {
            key("f", &out)
            object(state.fields.keys.sorted()) { writer, name in writer.heads(state.fields[name]!.heads) }
        }
        let superseded = state.fields.filter { !$0.value.superseded.isEmpty }
        if !superseded.isEmpty {
            key("x", &out)
            object(superseded.keys.sorted()) { writer, name in writer.ids(superseded[name]!.superseded.sorted()) }
        }
        let adds = state.tags.filter { !$0.value.adds.isEmpty }
        if !adds.isEmpty {
            key("a", &out)
            object(adds.keys.sorted()) { writer, name in
                writer.heads(adds[name]!.liveAdds.sorted { $0.id < $1.id })
            }
        }
        let removed = state.tags.filter { !$0.value.removed.isEmpty }
        if !removed.isEmpty {
            key("y", &out)
            object(removed.keys.sorted()) { writer, name in
                let set = removed[name]!.removed
                writer.object(set.keys.sorted()) { writer, element in writer.ids(set[element]!.sorted()) }
            }
        }
        if !state.notes.isEmpty {
            key("n", &out)
            array(state.notes) { writer, note in
                writer.rowPrefix(note.id, note.hlc, note.author)
                writer.string(note.text)
                writer.out.append(UInt8(ascii: "]"))
            }
        }
        if !state.deletes.isEmpty {
            key("d", &out)
            array(state.deletes) { writer, delete in
                writer.rowPrefix(delete.id, delete.hlc, delete.author)
                writer.ids(delete.seen)
                writer.out.append(UInt8(ascii: "]"))
            }
        }
        if !state.restored.isEmpty {
            key("r", &out)
            ids(state.restored.sorted())
        }
        if !state.keeps.isEmpty {
            key("k", &out)
            heads(state.keeps)
        }
        if let merged = state.merged {
            key("g", &out)
            rowPrefix(merged.id, merged.hlc, merged.author)
            value(merged.value)
            out.append(UInt8(ascii: "]"))
        }
        if !origins.isEmpty {
            key("m", &out)
            let table = origins
            array(table) { writer, origin in
                writer.out.append(UInt8(ascii: "["))
                writer.string(origin.replica.rawValue)
                writer.out += ",\(origin.seq),\(origin.wallMs),\(origin.counter),".utf8
                writer.string(origin.author)
                if origin.stampReplica != origin.replica {
                    writer.out.append(UInt8(ascii: ","))
                    writer.string(origin.stampReplica.rawValue)
                }
                writer.out.append(UInt8(ascii: "]"))
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private mutating func row(_ id: WriteID, _ hlc: HLCTimestamp, _ author: String) -> Int {
        let origin = RecordState.Origin(id: id, hlc: hlc, author: author)
        if let existing = rows[origin] { return existing }
        rows[origin] = origins.count
        origins.append(origin)
        return origins.count - 1
    }

    /// `[row,index,` — the caller writes the payload and the closing bracket.
    private mutating func rowPrefix(_ id: WriteID, _ hlc: HLCTimestamp, _ author: String) {
        let row = row(id, hlc, author)
        out += "[\(row),\(id.index),".utf8
    }

    private mutating func array<T>(_ items: [T], _ body: (inout CompactWriter, T) -> Void) {
        out.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            body(&self, item)
        }
        out.append(UInt8(ascii: "]"))
    }

    private mutating func object(_ keys: [String], _ body: (inout CompactWriter, String) -> Void) {
        out.append(UInt8(ascii: "{"))
        for (index, key) in keys.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(key)
            out.append(UInt8(ascii: ":"))
            body(&self, key)
        }
        out.append(UInt8(ascii: "}"))
    }

    private mutating func ids(_ ids: [WriteID]) {
        array(ids) { writer, id in writer.string(id.description) }
    }

    private mutating func value(_ value: Value) { value.appendCompactJSON(to: &out) }

    /// Heads (field heads, keeps) as rows `[row, writeIndex, value]`.
    private mutating func heads(_ heads: [Head]) {
        array(heads) { writer, head in
            writer.rowPrefix(head.id, head.hlc, head.author)
            writer.value(head.value)
            writer.out.append(UInt8(ascii: "]"))
        }
    }

    /// A JSON string literal.
    private mutating func string(_ text: String) {
        JSONText.appendString(text, to: &out)
    }
}

extension RecordState {
    /// Byte strings one of which appears in the compact JSON of every stored state that holds an old name of a
    /// renamed field (`"competitor":`), by entity: what `fieldsync-server migrate` looks for.
    public static func oldNameMarkers(in schema: Schema) -> [EntityKind: [[UInt8]]] {
        schema.aliases.mapValues { aliases in aliases.keys.sorted().map { Array(#""\#($0)":"#.utf8) } }
    }
}
