/// Reads mutations from JSON bytes in one pass, without Foundation's `JSONDecoder` (a tenth of the time): the
/// laptop's stored edits, and the server's pushes.
///
/// It reads the plain shape only and answers `nil` for anything else: a key its operation does not list, a repeated
/// key, a number with a fraction or an exponent, an invalid identifier, text that is not UTF-8. The caller then
/// decodes with `Codable`, which reads the same JSON to the same mutation, or says what is wrong with it; the
/// property tests compare the two.
public struct MutationReader {
    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The mutation `bytes` hold (`Mutation.compactJSON()`, or the same object in any key order and spacing).
    public static func mutation(_ bytes: [UInt8]) -> Mutation? {
        var reader = MutationReader(bytes)
        guard let mutation = reader.mutation(), reader.atEnd() else { return nil }
        return mutation
    }

    /// The mutations of a push body `{"mutations":[…]}` (one without receipts).
    public static func push(_ bytes: [UInt8]) -> [Mutation]? {
        var reader = MutationReader(bytes)
        var mutations: [Mutation]?
        let read = reader.object { reader, key in
            guard key == "mutations", mutations == nil else { return false }
            mutations = reader.array { reader in reader.mutation() }
            return mutations != nil
        }
        guard read, reader.atEnd() else { return nil }
        return mutations
    }

    // MARK: - Mutations

    private mutating func mutation() -> Mutation? {
        var (replica, seq, hlc, writes): (ReplicaID?, UInt64?, HLCTimestamp?, [Write]?)
        let read = object { reader, key in
            switch key {
            case "replica" where replica == nil: replica = reader.string().flatMap { try? ReplicaID($0) }
            case "seq" where seq == nil: seq = reader.integer().flatMap { UInt64(exactly: $0) }
            case "hlc" where hlc == nil: hlc = reader.string().flatMap { try? HLCTimestamp(parsing: $0) }
            case "writes" where writes == nil: writes = reader.array { reader in reader.write() }
            default: return false
            }
            return true
        }
        guard read, let replica, let seq, let hlc, let writes else { return nil }
        return Mutation(replica: replica, seq: seq, hlc: hlc, writes: writes)
    }

    private mutating func write() -> Write? {
        var (op, record, entity, field, element, text, into):
            (String?, String?, String?, String?, String?, String?, String?)
        var value: Value?
        var bases: [WriteID]?
        var keys: Set<String> = []
        let read = object { reader, key in
            guard keys.insert(key).inserted else { return false }
            switch key {
            case "value": value = reader.value()
            case "bases": bases = reader.array { reader in reader.string().flatMap { try? WriteID(parsing: $0) } }
            case "op": op = reader.string()
            case "record": record = reader.string()
            case "entity": entity = reader.string()
            case "field": field = reader.string()
            case "element": element = reader.string()
            case "text": text = reader.string()
            case "into": into = reader.string()
            default: return false
            }
            return key == "value" ? value != nil : key == "bases" ? bases != nil : true
        }
        guard read, let op, let allowed = Self.writeKeys[op], keys.isSubset(of: allowed),
            let record = record.flatMap({ try? RecordID($0) })
        else { return nil }
        switch op {
        case "create": return entity.flatMap(EntityKind.init(rawValue:)).map { .create(record: record, entity: $0) }
        case "set": return field.map { .set(record: record, field: $0, value: value ?? .null, bases: bases ?? []) }
        case "add":
            guard let field, let element else { return nil }
            return .add(record: record, field: field, element: element)
        case "remove":
            guard let field, let element else { return nil }
            return .remove(record: record, field: field, element: element, bases: bases ?? [])
        case "note": return text.map { .note(record: record, text: $0) }
        case "delete": return .delete(record: record, bases: bases ?? [])
        case "restore": return .restore(record: record, bases: bases ?? [])
        case "merge": return into.flatMap { try? RecordID($0) }.map { .merge(record: record, into: $0) }
        default: return nil
        }
    }

    /// Every key a write of each op may carry.
    private static let writeKeys = Write.operandKeys.mapValues { $0.union(["op", "record"]) }

    /// A write's value: null, text, a whole number, or money `{"minor":…,"currency":…}`.
    private mutating func value() -> Value? {
        switch peek() {
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "\""): return string().map(Value.text)
        case UInt8(ascii: "{"):
            var (minor, currency): (Int64?, String?)
            let read = object { reader, key in
                switch key {
                case "minor" where minor == nil: minor = reader.integer()
                case "currency" where currency == nil: currency = reader.string()
                default: return false
                }
                return true
            }
            guard read, let minor, let currency else { return nil }
            return .money(Money(minor: minor, currency: currency))
        default: return integer().map(Value.integer)
        }
    }

    // MARK: - JSON

    /// Whether only whitespace is left.
    private mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func peek() -> UInt8? {
        skipSpace()
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    private mutating func literal(_ word: String) -> Bool {
        guard bytes[index...].starts(with: word.utf8) else { return false }
        index += word.utf8.count
        return true
    }

    /// An object, each member read by `member` (which answers whether it took the key and read its value).
    private mutating func object(_ member: (inout MutationReader, String) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), member(&self, key) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// An array, each element read by `element`.
    private mutating func array<T>(_ element: (inout MutationReader) -> T?) -> [T]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var items: [T] = []
        if take(UInt8(ascii: "]")) { return items }
        repeat {
            guard let item = element(&self) else { return nil }
            items.append(item)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? items : nil
    }

    /// A whole number without fraction or exponent, in `Int64`'s range.
    private mutating func integer() -> Int64? {
        guard peek() != nil else { return nil }
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digits = index
        while index < bytes.count, ASCII.isDigit(bytes[index]) { index += 1 }
        guard index > digits, index - digits == 1 || bytes[digits] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") {
            return nil
        }
        return Int64(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// A string: escapes read, UTF-8 checked.
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        // Most strings have no escape: they are read in place.
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
            bytes[index] >= 0x20
        {
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(validating: bytes[start..<index - 1], as: UTF8.self)
        }
        var text = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(validating: text, as: UTF8.self)
            case 0..<0x20: return nil
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = escapedScalar() else { return nil }
                    UTF8.encode(scalar) { text.append($0) }
                default: return nil
                }
            default: text.append(byte)
            }
        }
        return nil
    }

    /// The scalar of a `\u` escape (its `\u` read), a surrogate pair joined; a lone surrogate is refused.
    private mutating func escapedScalar() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        guard (0xD800..<0xDC00).contains(high) else { return Unicode.Scalar(high) }
        guard literal("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count, bytes[index..<index + 4].allSatisfy({ ASCII.isHexDigit($0) }),
            let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { return nil }
        index += 4
        return value
    }
}
