import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync fields [ENTITY]`: the schema, so every field can be found and set.
struct Fields: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the fields of every entity (or one) with their types.",
        discussion: "Example: fieldsync fields opportunity")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "customer, contact, visit, opportunity, lineItem or complaint.") var entity: String?
    @Flag(help: "Print the whole schema as Markdown (protocol/SCHEMA.md).") var markdown = false

    func validate() throws {
        if let entity, EntityKind(rawValue: entity) == nil { throw ValidationError("Unknown entity '\(entity)'.") }
    }

    func run() throws {
        if markdown { return print(Schema.fieldSync.markdown(), terminator: "") }
        let schema = try SpokenSchema.fromEnvironment()
        let entities = schema.entities.filter { entity == nil || $0.kind.rawValue == entity }
        if global.json {
            return try global.printJSON(
                entities.map { spec in
                    EntityJSON(
                        entity: spec.kind.rawValue,
                        fields: spec.fields.map {
                            .init(
                                name: $0.name, type: $0.type.summary, required: $0.required, help: $0.help,
                                since: schema.since(spec.kind, field: $0.name))
                        })
                })
        }
        for spec in entities {
            print("\(spec.kind.rawValue): \(spec.help)")
            printTable(
                ["  FIELD", "TYPE", "REQUIRED", "SINCE", "MEANING"],
                spec.fields.map {
                    [
                        "  " + $0.name, $0.type.summary, $0.required ? "yes" : "",
                        "v\(schema.since(spec.kind, field: $0.name))", $0.help,
                    ]
                })
            print("")
        }
    }
}

/// One entity's fields (`fields --json`; protocol/cli/fields.json).
struct EntityJSON: Encodable {
    struct FieldJSON: Encodable {
        let name: String
        let type: String
        let required: Bool
        let help: String
        /// The schema version that introduced the field.
        let since: Int
    }
    let entity: String
    let fields: [FieldJSON]
}
