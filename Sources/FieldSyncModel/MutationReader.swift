/// Reads mutations from JSON bytes in one pass, without Foundation's `JSONDecoder` (a tenth of the time): the
/// laptop's stored edits, and the server's pushes.
///
/// It reads the plain shape only and answers `nil` for anything else: a key its operation does not list, a repeated
/// key, a number with a fraction or an exponent, an invalid identifier, text that is not UTF-8. The caller then
/// decodes with `Codable`, which reads the same JSON to the same mutation, or says what is wrong with it; the
/// property tests compare the two.
public enum MutationReader {
    /// The mutation `bytes` hold (`Mutation.compactJSON()`, or the same object in any key order and spacing).
    public static func mutation(_ bytes: [UInt8]) -> Mutation? {
        var reader = JSONReader(bytes)
        guard let mutation = reader.mutation(), reader.atEnd() else { return nil }
        return mutation
    }

    /// The mutations of a push body `{"mutations":[…]}` (one without receipts).
    public static func push(_ bytes: [UInt8]) -> [Mutation]? {
        var reader = JSONReader(bytes)
        var mutations: [Mutation]?
        let read = reader.object { reader, key in
            guard key == "mutations", mutations == nil else { return false }
            mutations = reader.array { reader in reader.mutation() }
            return mutations != nil
        }
        guard read, reader.atEnd() else { return nil }
        return mutations
    }
}

extension JSONReader {
    mutating func mutation() -> Mutation? {
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
            case "bases": bases = reader.writeIDs()
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
}
