import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync export ENTITY --format csv|json`.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export records as CSV or JSON.",
        discussion: "Example: fieldsync export customer --format csv > customers.csv")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "customer, contact, visit, opportunity or complaint.") var entity: String
    @Option(help: "csv or json.") var format = "csv"

    func validate() throws {
        guard EntityKind(rawValue: entity) != nil else { throw ValidationError("Unknown entity '\(entity)'.") }
        guard ["csv", "json"].contains(format) else { throw ValidationError("--format takes csv or json.") }
    }

    func run() throws {
        let kind = EntityKind(rawValue: entity)!
        let store = try global.store()
        let records = try store.records(kind)
        if format == "json" { return try global.printJSON(records.map { RecordJSON($0, schema: store.schema) }) }
        let fields = store.schema[kind].fields
        print(CSV.line(["id"] + fields.map(\.name)))
        for record in records {
            print(
                CSV.line(
                    [record.id.rawValue]
                        + fields.map { field in
                            field.type.isSet
                                ? record.state.elements(field.name).joined(separator: ";")
                                : csvText(record.state.value(field.name))
                        }))
        }
    }

    /// Values as import reads them back: money as `12999.50 CNY`.
    func csvText(_ value: Value) -> String {
        if case .money(let money) = value {
            return "\(money.minor / 100).\(String(format: "%02d", money.minor % 100)) \(money.currency)"
        }
        return RecordOutput.text(value)
    }
}
