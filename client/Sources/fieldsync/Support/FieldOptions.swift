import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// Options for changing fields: `--set field=value`, `--tag`, `--untag`.
struct FieldOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: "Set a field: field=value (repeatable; empty value clears).")
    var assignments: [String] = []
    @Option(name: .customLong("tag"), help: "Add a tag (repeatable).") var tags: [String] = []
    @Option(name: .customLong("untag"), help: "Remove a tag (repeatable).") var untags: [String] = []

    var isEmpty: Bool { assignments.isEmpty && tags.isEmpty && untags.isEmpty }

    func apply(to record: RecordID, of entity: EntityKind, store: LocalStore, _ builder: inout MutationBuilder) throws {
        try ValueParser(store: store).apply(assignments, to: record, of: entity, &builder)
        guard !tags.isEmpty || !untags.isEmpty else { return }
        guard let field = store.schema[entity].fields.first(where: { $0.type.isSet }) else {
            throw ClientError(.wrongType, "A \(entity.rawValue) has no tags.")
        }
        for tag in tags { try builder.add(record, field.name, tag) }
        for tag in untags { try builder.remove(record, field.name, tag) }
    }
}

/// The value a list filter (`--class`, `--stage`) names, ignoring case; a value the field cannot hold is a usage
/// error that lists the ones it can.
func choiceFilter(_ text: String?, _ option: String, _ entity: EntityKind, _ field: String) throws -> String? {
    guard let text, case .choice(let values) = Schema.fieldSync[entity][field]?.type else { return text }
    guard let value = ValueParser.choice(text, among: values) else {
        throw ValidationError("--\(option) takes one of \(values.joined(separator: ", ")); got '\(text.prefix(40))'.")
    }
    return value
}

/// A choice as typed, in the schema's spelling when it names one ignoring case (validation refuses anything else).
func choiceValue(_ text: String, _ entity: EntityKind, _ field: String) -> Value {
    guard case .choice(let values) = Schema.fieldSync[entity][field]?.type else { return .text(text) }
    return .text(ValueParser.choice(text, among: values) ?? text)
}

/// Parses a value for `field` of `entity` from user text.
func parseValue(_ text: String?, _ field: String, _ entity: EntityKind, _ store: LocalStore) throws -> Value {
    guard let text else { return .null }
    return try ValueParser(store: store).parse(text, for: try store.schema.field(field, of: entity), of: entity)
}
