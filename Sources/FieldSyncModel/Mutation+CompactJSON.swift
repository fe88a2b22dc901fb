extension Mutation {
    /// The mutation as compact JSON bytes, in the shape its `Codable` conformance reads (`replica`, `seq`, `hlc`,
    /// `writes`; each write with `op`, `record` and its operation's keys).
    ///
    /// A laptop stores every edit and pushes every change as this JSON: Foundation's `JSONEncoder` took a sixth of an
    /// import's time. The property tests check that `JSONDecoder` reads back exactly the mutation written.
    public func compactJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + writes.count * 96)
        appendCompactJSON(to: &out)
        return out
    }

    /// Appends `compactJSON()` to `out`.
    public func appendCompactJSON(to out: inout [UInt8]) {
        out += #"{"replica":"#.utf8
        JSONText.appendString(replica.rawValue, to: &out)
        out += #","seq":\#(seq),"hlc":"#.utf8
        JSONText.appendString(hlc.description, to: &out)
        out += #","writes":["#.utf8
        for (index, write) in writes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write.appendCompactJSON(to: &out)
        }
        out += "]}".utf8
    }
}

extension PushRequest {
    /// The request as compact JSON bytes (see `Mutation.compactJSON()`), the body a laptop sends.
    public func compactJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + mutations.count * 400)
        out += #"{"mutations":["#.utf8
        for (index, mutation) in mutations.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            mutation.appendCompactJSON(to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if let receipts {
            out += #","receipts":{"#.utf8
            for (index, seq) in receipts.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(seq, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONText.appendString(receipts[seq]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

extension Write {
    /// Appends the write as a compact JSON object, in the shape its `Codable` conformance reads.
    func appendCompactJSON(to out: inout [UInt8]) {
        func key(_ name: String) {
            out += #","\#(name)":"#.utf8
        }
        out += #"{"op":"#.utf8
        JSONText.appendString(op, to: &out)
        key("record")
        JSONText.appendString(record.rawValue, to: &out)
        switch self {
        case .create(_, let entity):
            key("entity")
            JSONText.appendString(entity.rawValue, to: &out)
        case .set(_, let field, let value, _):
            key("field")
            JSONText.appendString(field, to: &out)
            key("value")
            value.appendCompactJSON(to: &out)
        case .add(_, let field, let element), .remove(_, let field, let element, _):
            key("field")
            JSONText.appendString(field, to: &out)
            key("element")
            JSONText.appendString(element, to: &out)
        case .note(_, let text):
            key("text")
            JSONText.appendString(text, to: &out)
        case .merge(_, let into):
            key("into")
            JSONText.appendString(into.rawValue, to: &out)
        case .delete, .restore:
            break
        }
        if !bases.isEmpty {
            key("bases")
            out.append(UInt8(ascii: "["))
            for (index, base) in bases.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(base.description, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension Value {
    /// The value as compact JSON text, in the shape its `Codable` conformance reads.
    public var compactJSON: String {
        var out: [UInt8] = []
        appendCompactJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the value as JSON, in the shape its `Codable` conformance reads: null, a string, a whole number, or
    /// `{"minor":…,"currency":…}`.
    func appendCompactJSON(to out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .text(let text): JSONText.appendString(text, to: &out)
        case .integer(let number): out += String(number).utf8
        case .money(let money):
            out += #"{"minor":\#(money.minor),"currency":"#.utf8
            JSONText.appendString(money.currency, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }
}
