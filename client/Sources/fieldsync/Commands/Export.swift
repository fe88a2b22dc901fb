import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync export ENTITY --format csv|json`.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export records as CSV or JSON.",
        discussion: """
            The CSV has an id column: importing it back updates those records. For Excel (--excel, the default when \
            printing to a terminal) it starts with a UTF-8 byte order mark and ends lines with CRLF, so Chinese text \
            opens right.

            Example: fieldsync export customers --excel > customers.csv
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "customers, contacts, visits, opps, complaints or items (singular works too).") var entity: String
    @Option(help: "csv or json (--json also gives json).") var format = "csv"
    @Flag(help: "CSV for Excel: a UTF-8 byte order mark and CRLF line ends.") var excel = false

    func validate() throws {
        _ = try EntityName.parse(entity)
        guard ["csv", "json"].contains(format) else { throw ValidationError("--format takes csv or json.") }
    }

    func run() throws {
        let kind = try EntityName.parse(entity)
        let store = try global.store()
        let records = try store.records(kind)
        if format == "json" || global.json {
            return try global.printJSON(records.map { RecordJSON($0, schema: store.schema) })
        }
        let fields = store.schema[kind].fields
        let forExcel = excel || outputIsTerminal
        let end = forExcel ? "\r\n" : "\n"
        print((forExcel ? "\u{FEFF}" : "") + CSV.line(["id"] + fields.map(\.name)), terminator: end)
        for record in records {
            print(
                CSV.line(
                    [record.id.rawValue]
                        + fields.map { field in
                            field.type.isSet
                                ? record.state.elements(field.name).joined(separator: ";")
                                : csvText(record.state.value(field.name))
                        }), terminator: end)
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
