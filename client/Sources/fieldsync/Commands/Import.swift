import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync import customers FILE.csv`.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import customer cards from CSV (UTF-8, with or without BOM; a header row names the fields).",
        discussion: """
            A line that looks like a card already in your view, or like an earlier line (the same name once company \
            suffixes and punctuation are set aside, the same phone digits, or the same e-mail: `fieldsync dupes`), is \
            imported and reported; `--skip-duplicates` leaves such lines out, `--allow-duplicates` does not check.

            Example: fieldsync import customers customers.csv --skip-duplicates
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to import (customers).") var entity: String
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Leave out lines that look like a card already there.") var skipDuplicates = false
    @Flag(help: "Import every line without looking for duplicates.") var allowDuplicates = false

    func validate() throws {
        if entity != "customers" { throw ValidationError("Only `import customers FILE.csv` is supported.") }
        if skipDuplicates && allowDuplicates {
            throw ValidationError("Give --skip-duplicates or --allow-duplicates, not both.")
        }
    }

    /// A line left out because it looks like a card already there.
    private struct Skipped: Error {
        let message: String
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
        var duplicates: [String] = []
        var skipped = 0
        let existing = allowDuplicates ? [] : try store.records(.customer)
        var index = DuplicateRule.Index(existing.map { ($0.id, $0.state) })
        var names = Dictionary(uniqueKeysWithValues: existing.map { ($0.id, $0.state.value("name").text ?? "") })
        for (offset, row) in rows.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = offset + 2
            do {
                guard row.count == fields.count else {
                    throw ClientError(.badFile, "has \(row.count) cells, the header has \(fields.count)")
                }
                var added: (id: RecordID, state: RecordState)?
                try store.edit(summary: "import customer line \(line)") { builder in
                    let id = try builder.create(.customer)
                    defer { added = (id, (try? builder.state(of: id)) ?? RecordState()) }
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
                    guard !allowDuplicates, let state = try builder.state(of: id),
                        let match = index.matches(of: state).first
                    else { return }
                    let like =
                        "line \(line) looks like \(names[match.id] ?? "") (\(match.id)):"
                        + " \(match.reasons.map(\.text).joined(separator: ", "))"
                    if skipDuplicates { throw Skipped(message: like + "; left out") }
                    duplicates.append(like)
                }
                if let added {
                    index.insert(added.id, added.state)
                    names[added.id] = added.state.value("name").text ?? ""
                }
                imported += 1
            } catch let error as ClientError {
                failures.append("line \(line): \(error.message)")
            } catch let skip as Skipped {
                skipped += 1
                duplicates.append(skip.message)
            }
        }
        if global.json {
            try global.printJSON(
                ImportJSON(
                    imported: imported, failed: failures.count, failures: failures, skipped: skipped,
                    duplicates: duplicates))
        } else {
            let left = skipped > 0 ? ", \(counted(skipped, "likely duplicate")) left out" : ""
            print("Imported \(counted(imported, "customer"))\(left); \(counted(failures.count, "line")) failed.")
            for failure in failures { print("  \(failure)") }
            if !duplicates.isEmpty {
                print("Likely duplicates (a manager merges them with `fieldsync customer merge`):")
                for duplicate in duplicates { print("  \(duplicate)") }
            }
        }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}

/// What an import did (`import --json`; protocol/cli/import.json): the failed lines say why, as the text does.
struct ImportJSON: Encodable {
    let imported: Int
    let failed: Int
    let failures: [String]
    /// Lines left out by `--skip-duplicates`.
    let skipped: Int
    /// Each line that looks like a card already there (imported, or left out), and which.
    let duplicates: [String]
}
