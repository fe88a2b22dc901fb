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

    /// The changes these options make to a record of `entity`, parsed and resolved (before an edit's transaction).
    func changes(of entity: EntityKind, store: LocalStore) throws -> FieldChanges {
        let tagField = store.schema[entity].fields.first(where: { $0.type.isSet })?.name
        if tagField == nil && !(tags.isEmpty && untags.isEmpty) {
            throw ClientError(.wrongType, "A \(entity.rawValue) has no tags.")
        }
        return FieldChanges(
            values: try ValueParser(store: store).values(assignments, of: entity), tagField: tagField, tags: tags,
            untags: untags)
    }
}

/// Field changes parsed from `--set`, `--tag` and `--untag`, ready to write.
struct FieldChanges {
    let values: [(field: String, value: Value)]
    let tagField: String?
    let tags: [String]
    let untags: [String]

    /// The fields set.
    var fields: Set<String> { Set(values.map(\.field)) }

    /// Writes the changes to `record` through `builder`; with `skippingUnchanged`, a value the record already holds
    /// is not written again (fixing a refused change: the fix may be to leave a field as it is).
    func apply(to record: RecordID, skippingUnchanged: Bool = false, _ builder: inout MutationBuilder) throws {
        for (field, value) in values {
            if skippingUnchanged, try builder.state(of: record)?.value(field) == value { continue }
            try builder.set(record, field, value)
        }
        guard let tagField else { return }
        for tag in tags { try builder.add(record, tagField, tag) }
        for tag in untags { try builder.remove(record, tagField, tag) }
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
