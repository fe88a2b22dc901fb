/// One change inside a mutation.
///
/// `bases` are the ids of the heads the writer had seen: for `set`, the field's heads; for `remove`, the adds of that
/// tag it saw; for `delete`, every head of the record (fields, tags, notes); for `restore`, the deletes it overrides.
/// A write supersedes exactly its bases, never anything it had not seen.
public enum Write: Hashable, Sendable {
    /// Creates a record of an entity; the same mutation sets its required fields.
    case create(record: RecordID, entity: EntityKind)
    /// Sets a scalar field, superseding the heads it saw.
    case set(record: RecordID, field: String, value: Value, bases: [WriteID])
    /// Adds a tag to a set field (add-wins: never conflicts).
    case add(record: RecordID, field: String, element: String)
    /// Removes a tag, cancelling only the adds of it the writer had seen.
    case remove(record: RecordID, field: String, element: String, bases: [WriteID])
    /// Appends an entry to the record's notes log (append-only: never conflicts).
    case note(record: RecordID, text: String)
    /// Deletes a record; an edit the deleter had not seen keeps the record alive, and that is listed as a conflict.
    case delete(record: RecordID, bases: [WriteID])
    /// Keeps a deleted record alive, superseding the deletes named in `bases` (resolves a delete conflict).
    case restore(record: RecordID, bases: [WriteID])
    /// Merges a duplicate customer (`record`) into the one kept (`into`): the duplicate becomes a redirect, and its
    /// fields, tags, notes and children join the kept record (`RecordMerge`).
    case merge(record: RecordID, into: RecordID)

    /// The record the write changes.
    public var record: RecordID {
        switch self {
        case .create(let record, _), .set(let record, _, _, _), .add(let record, _, _), .remove(let record, _, _, _),
            .note(let record, _), .delete(let record, _), .restore(let record, _), .merge(let record, _):
            record
        }
    }

    /// The field the write changes, for `set`, `add` and `remove`.
    public var field: String? {
        switch self {
        case .set(_, let field, _, _), .add(_, let field, _), .remove(_, let field, _, _): field
        case .create, .note, .delete, .restore, .merge: nil
        }
    }

    /// The heads the writer had seen (empty for `create`, `add`, `note` and `merge`).
    public var bases: [WriteID] {
        switch self {
        case .set(_, _, _, let bases), .remove(_, _, _, let bases), .delete(_, let bases), .restore(_, let bases): bases
        case .create, .add, .note, .merge: []
        }
    }

    /// The operation's name on the wire.
    public var op: String {
        switch self {
        case .create: "create"
        case .set: "set"
        case .add: "add"
        case .remove: "remove"
        case .note: "note"
        case .delete: "delete"
        case .restore: "restore"
        case .merge: "merge"
        }
    }
}

extension Write {
    /// The keys a write of each op may carry besides `op` and `record`: what a server reading strictly allows.
    public static let operandKeys: [String: Set<String>] = [
        "create": ["entity"], "set": ["field", "value", "bases"], "add": ["field", "element"],
        "remove": ["field", "element", "bases"], "note": ["text"], "delete": ["bases"], "restore": ["bases"],
        "merge": ["into"],
    ]
}

extension Write: Codable {
    private enum CodingKeys: String, CodingKey {
        case op, record, entity, field, value, element, text, bases, into
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let op = try container.decode(String.self, forKey: .op)
        let record = try container.decode(RecordID.self, forKey: .record)
        func bases() throws -> [WriteID] { try container.decodeIfPresent([WriteID].self, forKey: .bases) ?? [] }
        switch op {
        case "create":
            self = .create(record: record, entity: try container.decode(EntityKind.self, forKey: .entity))
        case "set":
            self = .set(
                record: record, field: try container.decode(String.self, forKey: .field),
                value: try container.decodeIfPresent(Value.self, forKey: .value) ?? .null, bases: try bases())
        case "add":
            self = .add(
                record: record, field: try container.decode(String.self, forKey: .field),
                element: try container.decode(String.self, forKey: .element))
        case "remove":
            self = .remove(
                record: record, field: try container.decode(String.self, forKey: .field),
                element: try container.decode(String.self, forKey: .element), bases: try bases())
        case "note":
            self = .note(record: record, text: try container.decode(String.self, forKey: .text))
        case "delete":
            self = .delete(record: record, bases: try bases())
        case "restore":
            self = .restore(record: record, bases: try bases())
        case "merge":
            self = .merge(record: record, into: try container.decode(RecordID.self, forKey: .into))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .op, in: container,
                debugDescription:
                    "Unknown op '\(op.prefix(40))': use create, set, add, remove, note, delete, restore or merge.")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(op, forKey: .op)
        try container.encode(record, forKey: .record)
        switch self {
        case .create(_, let entity):
            try container.encode(entity, forKey: .entity)
        case .set(_, let field, let value, _):
            try container.encode(field, forKey: .field)
            try container.encode(value, forKey: .value)
        case .add(_, let field, let element), .remove(_, let field, let element, _):
            try container.encode(field, forKey: .field)
            try container.encode(element, forKey: .element)
        case .note(_, let text):
            try container.encode(text, forKey: .text)
        case .merge(_, let into):
            try container.encode(into, forKey: .into)
        case .delete, .restore:
            break
        }
        if !bases.isEmpty { try container.encode(bases, forKey: .bases) }
    }
}
