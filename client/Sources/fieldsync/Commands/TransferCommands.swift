import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync import customers FILE.csv`.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import customer cards from CSV (UTF-8, with or without BOM; a header row names the fields).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to import (customers).") var entity: String
    @Argument(help: "The CSV file.") var file: String

    func validate() throws {
        if entity != "customers" { throw ValidationError("Only `import customers FILE.csv` is supported.") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ClientError("no_file", "Cannot read \(file).")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ClientError("not_utf8", "\(file) is not UTF-8 text.")
        }
        let rows = CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard let header = rows.first else { throw ClientError("empty", "\(file) is empty.") }
        let store = try global.store()
        let fields = header.map { $0.trimmingCharacters(in: .whitespaces) }
        for name in fields {
            do { _ = try store.schema.field(name, of: .customer) } catch {
                throw ClientError(error.code.rawValue, "Header: \(error.message)")
            }
        }
        var imported = 0
        var failures: [String] = []
        for (offset, row) in rows.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = offset + 2
            do {
                guard row.count == fields.count else {
                    throw ClientError("bad_row", "has \(row.count) cells, the header has \(fields.count)")
                }
                try store.edit(summary: "import customer line \(line)") { builder in
                    let id = try builder.create(.customer)
                    for (name, cell) in zip(fields, row) where !cell.isEmpty {
                        let spec = try store.schema.field(name, of: .customer)
                        if spec.type.isSet {
                            for tag in cell.split(separator: ";") {
                                try builder.add(id, name, tag.trimmingCharacters(in: .whitespaces))
                            }
                        } else {
                            try builder.set(
                                id, name, try ValueParser(store: store).parse(cell, for: spec, of: .customer))
                        }
                    }
                }
                imported += 1
            } catch let error as ClientError {
                failures.append("line \(line): \(error.message)")
            }
        }
        if global.json { return try global.printJSON(["imported": "\(imported)", "failed": "\(failures.count)"]) }
        print(
            "Imported \(imported) customer\(imported == 1 ? "" : "s"); \(failures.count) line\(failures.count == 1 ? "" : "s") failed."
        )
        for failure in failures { print("  \(failure)") }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}

/// `fieldsync export ENTITY --format csv|json`.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export records as CSV or JSON.")
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
        if format == "json" { return try global.printJSON(records.map { RecordJSON($0) }) }
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

/// RFC 4180 CSV: quoted cells, doubled quotes, newlines inside quotes.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var iterator = text.makeIterator()
        while let char = iterator.next() {
            if quoted {
                if char == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            cell.append("\"")
                        } else {
                            quoted = false
                            if next == "," {
                                row.append(cell); cell = ""
                            } else if next == "\n" || next == "\r\n" {
                                row.append(cell); rows.append(row); row = []; cell = ""
                            } else {
                                cell.append(next)
                            }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(char)
                }
            } else if char == "\"" && cell.isEmpty {
                quoted = true
            } else if char == "," {
                row.append(cell); cell = ""
            } else if char == "\n" || char == "\r\n" || char == "\r" {
                row.append(cell); rows.append(row); row = []; cell = ""
            } else {
                cell.append(char)
            }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows
    }

    static func line(_ cells: [String]) -> String {
        cells.map { cell in
            cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }.joined(separator: ",")
    }
}
