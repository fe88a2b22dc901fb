/// One entity of the schema: its fields in display order.
public struct EntitySpec: Sendable {
    /// The entity.
    public let kind: EntityKind
    /// What the entity is, in one line.
    public let help: String
    /// The fields in display order.
    public let fields: [FieldSpec]
    private let byName: [String: FieldSpec]

    /// Creates an entity specification.
    public init(_ kind: EntityKind, help: String, fields: [FieldSpec]) {
        self.kind = kind
        self.help = help
        self.fields = fields
        self.byName = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
    }

    /// The field named `name`, or an error listing the fields this entity has.
    public func field(_ name: String) throws(ModelError) -> FieldSpec {
        guard let spec = byName[name] else {
            throw ModelError(
                .unknownField,
                "\(kind.rawValue) has no field '\(name.prefix(80))': its fields are"
                    + " \(fields.map(\.name).joined(separator: ", "))."
            )
        }
        return spec
    }

    /// The field named `name`, if there is one.
    public subscript(name: String) -> FieldSpec? { byName[name] }

    /// The fields a new record must set.
    public var requiredFields: [FieldSpec] { fields.filter(\.required) }
}
