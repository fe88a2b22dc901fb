/// One field of an entity: its name, type, whether it is required, and how conflicts pick a winner.
public struct FieldSpec: Hashable, Sendable {
    /// The field name as it appears on the wire, in the CLI and in CSV headers.
    public let name: String
    /// The field's type and limits.
    public let type: FieldType
    /// Whether a record must have a value here from creation on (it can never be cleared).
    public let required: Bool
    /// Whether only managers and admins may change the field after creation (a record's territory).
    public let managed: Bool
    /// How a conflict on this field picks the value shown.
    public let rule: WinnerRule
    /// One line for help texts and the protocol docs.
    public let help: String

    /// Creates a field specification.
    public init(
        _ name: String,
        _ type: FieldType,
        required: Bool = false,
        managed: Bool = false,
        rule: WinnerRule = .latest,
        help: String
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.managed = managed
        self.rule = rule
        self.help = help
    }

    /// The same field with another type (an older version's shorter list of choices).
    func with(type: FieldType) -> FieldSpec {
        FieldSpec(name, type, required: required, managed: managed, rule: rule, help: help)
    }

    /// The same field under another name (an older version's name for a renamed field).
    func with(name: String) -> FieldSpec {
        FieldSpec(name, type, required: required, managed: managed, rule: rule, help: help)
    }
}
