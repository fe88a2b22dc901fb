/// What a write changes: its record, operation, field and (for tag adds and removes) its tag. Enough to tell whether
/// a later write may name it as a base.
public struct WriteTarget: Hashable, Sendable {
    /// The record.
    public let record: RecordID
    /// The operation's wire name.
    public let op: String
    /// The field, for `set`, `add` and `remove`.
    public let field: String?
    /// The tag, for `add` and `remove`.
    public let element: String?

    /// Creates a target from its parts (as the server's history holds them).
    public init(record: RecordID, op: String, field: String?, element: String?) {
        self.record = record
        self.op = op
        self.field = field
        self.element = element
    }
}

extension Write {
    /// What this write changes.
    public var target: WriteTarget {
        let element: String? =
            switch self {
            case .add(_, _, let element), .remove(_, _, let element, _): element
            default: nil
            }
        return WriteTarget(record: record, op: op, field: field, element: element)
    }

    /// Whether a write changing `base` can be one of this write's bases: the heads a writer saw are always of the
    /// same record, and a `set` sees sets of its field, a `remove` the adds of its tag, a `restore` deletes, and a
    /// `delete` any live write of the record. Any other base cannot come from an honest client, and would make the
    /// merge depend on arrival order (a remove naming another tag's add).
    public func canBuild(on base: WriteTarget) -> Bool {
        guard base.record == record else { return false }
        switch self {
        case .set(_, let field, _, _): return base.op == "set" && base.field == field
        case .remove(_, let field, let element, _):
            return base.op == "add" && base.field == field && base.element == element
        case .restore: return base.op == "delete"
        case .delete: return ["set", "add", "note", "restore"].contains(base.op)
        case .create, .add, .note, .merge: return false
        }
    }
}
