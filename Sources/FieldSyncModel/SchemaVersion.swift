/// One change a schema version made to the version before it. The history of these is data
/// (`Schema.versions`): older schemas are derived from the current one by undoing them, and the docs, `fieldsync fields`
/// and the server's translation for older laptops all read it.
public enum SchemaChange: Hashable, Sendable {
    /// A new kind of record; older laptops never see records of it.
    case addedEntity(EntityKind)
    /// A new field; older laptops neither see nor write it, so their edits never clear it.
    case addedField(EntityKind, String)
    /// A new value of a choice field; older laptops see it as written (and may not set it).
    case addedValue(EntityKind, field: String, value: String)
    /// A field that changed its name. The old name stays an alias: laptops speaking an older version read and write
    /// it under the old name, newer ones may still type it, and stored data holding it reads as the new name until
    /// `fieldsync-server migrate` rewrites it.
    case renamedField(EntityKind, from: String, to: String)
    /// A field that stays readable and writable but is no longer shown by default; the text says what replaces it.
    case deprecatedField(EntityKind, String, String)
    /// A rule that changed, in words.
    case changedRule(EntityKind, field: String, String)

    /// The entity the change is about.
    public var entity: EntityKind {
        switch self {
        case .addedEntity(let kind), .addedField(let kind, _), .addedValue(let kind, _, _),
            .renamedField(let kind, _, _), .deprecatedField(let kind, _, _), .changedRule(let kind, _, _):
            kind
        }
    }

    /// The change in one line, for docs and release notes.
    public var summary: String {
        switch self {
        case .addedEntity(let kind): "new entity `\(kind.rawValue)`"
        case .addedField(let kind, let field): "new field `\(kind.rawValue).\(field)`"
        case .addedValue(let kind, let field, let value): "`\(kind.rawValue).\(field)` may be `\(value)`"
        case .renamedField(let kind, let old, let new):
            "`\(kind.rawValue).\(old)` is now `\(kind.rawValue).\(new)` (the old name stays an alias)"
        case .deprecatedField(let kind, let field, let why): "`\(kind.rawValue).\(field)` is deprecated: \(why)"
        case .changedRule(let kind, let field, let rule): "`\(kind.rawValue).\(field)`: \(rule)"
        }
    }
}

/// One version of the schema: its number, what it was for, and what it changed from the version before.
public struct SchemaVersion: Hashable, Sendable {
    /// The version number: 1 is the first release.
    public let number: Int
    /// What the version brought, in one line.
    public let summary: String
    /// What it changed from the version before (none for version 1).
    public let changes: [SchemaChange]

    /// Creates a version.
    public init(_ number: Int, _ summary: String, changes: [SchemaChange] = []) {
        self.number = number
        self.summary = summary
        self.changes = changes
    }
}

extension Schema {
    /// The version that introduced `field` of `kind` (1 for a field that was always there; a renamed field counts
    /// from when it was added under its first name).
    public func since(_ kind: EntityKind, field: String) -> Int {
        let first = formerNames(of: field, in: kind).last ?? field
        return versions.last { version in
            version.changes.contains { $0 == .addedField(kind, first) || $0 == .addedEntity(kind) }
        }?.number ?? 1
    }

    /// The names field `field` of `kind` had before, newest first (empty for a field never renamed).
    public func formerNames(of field: String, in kind: EntityKind) -> [String] {
        var names: [String] = []
        var current = field
        for change in versions.reversed().flatMap({ $0.changes.reversed() }) {
            if case .renamedField(kind, let old, current) = change {
                names.append(old)
                current = old
            }
        }
        return names
    }

    /// The current name of field `name` of `kind`: `name` itself, or what a field once called so is called now.
    public func currentName(_ name: String, of kind: EntityKind) -> String {
        aliases[kind]?[name] ?? name
    }

    /// What version `number` calls field `name` (a current name) of `kind`, or `nil` when that version lacks it.
    public func name(_ name: String, of kind: EntityKind, inVersion number: Int) -> String? {
        guard number < version else { return self[kind][name] == nil ? nil : name }
        guard number >= since(kind), since(kind, field: name) <= number else { return nil }
        var current = name
        for change in versions.filter({ $0.number > number }).reversed().flatMap({ $0.changes.reversed() }) {
            if case .renamedField(kind, let old, current) = change { current = old }
        }
        return current
    }

    /// Old names of renamed fields mapped to their current names, per entity, from a history of versions.
    static func aliases(in versions: [SchemaVersion]) -> [EntityKind: [String: String]] {
        var aliases: [EntityKind: [String: String]] = [:]
        for case .renamedField(let kind, let old, let new) in versions.flatMap(\.changes) {
            var names = aliases[kind, default: [:]]
            for (alias, target) in names where target == old { names[alias] = new }
            names[old] = new
            aliases[kind] = names
        }
        return aliases
    }

    /// The version that introduced `kind`.
    public func since(_ kind: EntityKind) -> Int {
        versions.last { $0.changes.contains(.addedEntity(kind)) }?.number ?? 1
    }

    /// The values of choice fields that came after version 1, each with the version that added it.
    public func addedValues(_ kind: EntityKind, field: String) -> [(value: String, version: Int)] {
        versions.flatMap { version in
            version.changes.compactMap { change in
                guard case .addedValue(kind, field, let value) = change else { return nil }
                return (value, version.number)
            }
        }
    }

    /// This schema as a laptop speaking `number` knows it: entities, fields and choice values added after it taken
    /// out, renamed fields under the name they had then. `number` must be one of `versions` at or below `version`.
    public func at(version number: Int) -> Schema {
        guard number < version else { return self }
        let undone = versions.filter { $0.number > number }.flatMap(\.changes)
        var schema = Schema(
            entities: entities.compactMap { entity in
                guard !undone.contains(.addedEntity(entity.kind)) else { return nil }
                let fields = entity.fields.compactMap { field -> FieldSpec? in
                    guard let name = self.name(field.name, of: entity.kind, inVersion: number) else { return nil }
                    let named = name == field.name ? field : field.with(name: name)
                    guard case .choice(let values) = field.type else { return named }
                    let kept = values.filter {
                        !undone.contains(.addedValue(entity.kind, field: field.name, value: $0))
                    }
                    return named.with(type: .choice(kept))
                }
                return EntitySpec(entity.kind, help: entity.help, fields: fields)
            },
            version: number, versions: versions.filter { $0.number <= number })
        schema.copyLimits(from: self)
        return schema
    }
}
