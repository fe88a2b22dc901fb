import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync import customers FILE.csv`.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import customer cards from CSV (UTF-8, with or without BOM; a header row names the fields).",
        discussion: "Example: fieldsync import customers customers.csv")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to import (customers).") var entity: String
    @Argument(help: "The CSV file.") var file: String

    func validate() throws {
        if entity != "customers" { throw ValidationError("Only `import customers FILE.csv` is supported.") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ClientError(.badFile, "Cannot read \(file).")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ClientError(.badFile, "\(file) is not UTF-8 text.")
        }
        let rows = CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard let header = rows.first else { throw ClientError(.badFile, "\(file) is empty.") }
        let store = try global.store()
        let fields = header.map { $0.trimmingCharacters(in: .whitespaces) }
        for name in fields {
            do { _ = try store.schema.field(name, of: .customer) } catch {
                throw ClientError(error.code, "Header: \(error.message)")
            }
        }
        var imported = 0
        var failures: [String] = []
        for (offset, row) in rows.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = offset + 2
            do {
                guard row.count == fields.count else {
                    throw ClientError(.badFile, "has \(row.count) cells, the header has \(fields.count)")
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
        if global.json {
            try global.printJSON(ImportJSON(imported: imported, failed: failures.count, failures: failures))
        } else {
            print("Imported \(counted(imported, "customer")); \(counted(failures.count, "line")) failed.")
            for failure in failures { print("  \(failure)") }
        }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}

/// What an import did (`import --json`; protocol/cli/import.json): the failed lines say why, as the text does.
struct ImportJSON: Encodable {
    let imported: Int
    let failed: Int
    let failures: [String]
}
