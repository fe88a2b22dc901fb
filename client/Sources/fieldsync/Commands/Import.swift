import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync import ENTITY FILE.csv`.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Import customers, contacts, visits, opportunities or complaints from CSV (UTF-8, with or without BOM).",
        discussion: """
            The header row names the fields: by field name, an earlier name, or a common CRM header (客户名称, 电话, \
            邮箱, 地址, 行业, 客户分类 …: see protocol/SCHEMA.md, "CSV headers"); --map 列名=field names any other, \
            --map 列名=- skips a column. References (the customer of a contact, visit or deal) are names or ids. \
            A line with an id (as fieldsync export writes it) updates that record; a line without one adds a record, \
            owned by you, in --territory (default: your only territory). A line naming a record already here (a \
            customer by name and phone, a contact by customer and name, a deal by customer and title, a visit by \
            customer and time) or an earlier line is reported as a duplicate and not added, unless \
            --allow-duplicates. A customer line that only looks like a card here (the same name key, phone or \
            e-mail: fieldsync dupes) is added and reported; --skip-duplicates leaves it out.

            Example: fieldsync import customers 客户.csv --map 省份=region
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to import: customers, contacts, visits, opps or complaints (singular works too).")
    var entity: String
    @Argument(help: "The CSV file.") var file: String
    @Option(name: .customLong("map"), help: "Read a column as a field: 列名=field; 列名=- skips it (repeatable).")
    var maps: [String] = []
    @Option(help: "Territory of new customers whose line has none (default: your only territory).")
    var territory: String?
    @Option(help: "Currency of amounts written without one.") var currency = "CNY"
    @Flag(help: "Also leave out customer lines that only look like a card already here.") var skipDuplicates = false
    @Flag(help: "Add every line without looking for duplicates.") var allowDuplicates = false

    /// Lines per transaction.
    static let batch = 1_000

    func validate() throws {
        _ = try EntityName.parse(entity)
        if skipDuplicates && allowDuplicates {
            throw ValidationError("Give --skip-duplicates or --allow-duplicates, not both.")
        }
    }

    func run() throws {
        let kind = try EntityName.parse(entity)
        let store = try global.store()
        let rows = try Self.read(file)
        guard let header = rows.first else { throw ClientError(.badFile, "\(file) is empty.") }
        let plan = try ImportPlan(
            entity: kind, header: header, maps: maps, store: store, defaults: try defaults(kind, store),
            currency: currency)
        var report = ImportJSON()
        var likely = DuplicateRule.Index(
            kind == .customer && !allowDuplicates ? try store.records(.customer).map { ($0.id, $0.state) } : [])
        var work: [ImportPlan.Line] = []
        var earlier: [RecordID: String] = [:]  // customer lines added before, by their stand-in id
        for line in try plan.lines(Array(rows.dropFirst()), checkDuplicates: !allowDuplicates) {
            switch line {
            case .unchanged: report.unchanged += 1
            case .duplicate(_, let message):
                report.skipped += 1
                report.duplicates.append(message)
            case .failed(_, let message): report.failures.append(message)
            case .create(let number, let values, _) where kind == .customer && !allowDuplicates:
                let card = Self.card(values)
                let keys = DuplicateRule.keys(of: card)
                if let match = likely.matches(keys: keys).first {
                    let name =
                        try store.record(match.id).map { RecordNames(store: store, time: .utc).name(of: $0) }
                        .map { "\($0) (\(match.id))" } ?? earlier[match.id] ?? match.id.rawValue
                    let like =
                        "line \(number) looks like \(name):"
                        + " \(match.reasons.map(\.text).joined(separator: ", "))"
                    if skipDuplicates {
                        report.skipped += 1
                        report.duplicates.append(like + "; left out")
                        continue
                    }
                    report.duplicates.append(like)
                }
                likely.insert(RecordID(trusted: "line-\(number)"), keys: keys)
                earlier[RecordID(trusted: "line-\(number)")] = "\(card.value("name").text ?? "") (line \(number))"
                work.append(line)
            default: work.append(line)
            }
        }
        try write(work, of: kind, store, &report)
        if global.json {
            try global.printJSON(report)
        } else {
            print(report.text(kind))
        }
        if !report.failures.isEmpty { throw ExitCode.failure }
    }

    /// Creates and updates in batches of `batch` lines, one transaction each, with a progress line on a terminal.
    private func write(
        _ lines: [ImportPlan.Line], of kind: EntityKind, _ store: LocalStore, _ report: inout ImportJSON
    ) throws {
        let name = kind == .opportunity ? "opportunity" : kind.rawValue
        for start in stride(from: 0, to: lines.count, by: Self.batch) {
            let chunk = Array(lines[start..<min(start + Self.batch, lines.count)])
            // Summaries are made before the transaction: naming an updated record reads the store.
            let names = RecordNames(store: store, time: global.time)
            let summaries = chunk.map { line in
                switch line {
                case .update(let number, let id, _, _):
                    "import \(name) \(names.name(of: id) ?? id.rawValue) (line \(number), update)"
                case .create(let number, let values, _):
                    "import \(name) \(values.first { ["name", "title", "product"].contains($0.0) }?.1.text ?? "") (line \(number))"
                case .unchanged(let number), .duplicate(let number, _), .failed(let number, _):
                    "import \(name) line \(number)"
                }
            }
            let results = try store.edits(Array(zip(chunk, summaries))) {
                $0.1
            } _: { item, builder in
                let line = item.0
                switch line {
                case .create(_, let values, let tags):
                    let id = try builder.create(kind)
                    for (field, value) in values { try builder.set(id, field, value) }
                    for tag in tags { try builder.add(id, "tags", tag) }
                case .update(_, let id, let values, let tags):
                    for (field, value) in values { try builder.set(id, field, value) }
                    for tag in tags { try builder.add(id, "tags", tag) }
                default: break
                }
            }
            for (line, result) in zip(chunk, results) {
                switch (line, result) {
                case (.create, .success): report.created += 1
                case (.update, .success): report.updated += 1
                case (.create(let number, _, _), .failure(let error)),
                    (.update(let number, _, _, _), .failure(let error)):
                    report.failures.append("line \(number): \((error as? ClientError)?.message ?? "\(error)")")
                default: break
                }
            }
            if outputIsTerminal && !global.json && lines.count > Self.batch {
                FileHandle.standardError.write(
                    Data("\rImporting… \(min(start + Self.batch, lines.count)) of \(lines.count) lines".utf8))
            }
        }
        if outputIsTerminal && !global.json && lines.count > Self.batch {
            FileHandle.standardError.write(Data("\n".utf8))
        }
        report.imported = report.created + report.updated
        report.failed = report.failures.count
    }

    /// The values a new record of `kind` gets when its line has none: the importer as owner (or visiting rep), the
    /// territory, and the first step of each workflow.
    private func defaults(_ kind: EntityKind, _ store: LocalStore) throws -> [String: Value] {
        let session = try store.session()
        let user = session.map { Value.text($0.user) }
        switch kind {
        case .customer:
            let territory = territory ?? (session?.territories.count == 1 ? session?.territories.first : nil)
            return ["owner": user, "territory": territory.map(Value.text)].compactMapValues { $0 }
        case .opportunity: return ["owner": user, "stage": .text("prospecting")].compactMapValues { $0 }
        case .visit: return ["rep": user, "status": .text("planned")].compactMapValues { $0 }
        case .complaint: return ["step": .text("recorded")]
        case .contact, .lineItem: return [:]
        }
    }

    /// A customer card holding `values`, to look for likely duplicates before it is added.
    private static func card(_ values: [(String, Value)]) -> RecordState {
        let (importer, record) = (ReplicaID(trusted: "import"), RecordID(trusted: "new"))
        let hlc = HLCTimestamp(wallMs: 0, counter: 0, replica: importer)
        var card = RecordState()
        let writes =
            [Write.create(record: record, entity: .customer)]
            + values.map { Write.set(record: record, field: $0.0, value: $0.1, bases: []) }
        for (index, write) in writes.enumerated() {
            card.apply(write, id: WriteID(replica: importer, seq: 1, index: UInt32(index)), hlc: hlc, author: "")
        }
        return card
    }

    /// The rows of CSV file `path`: UTF-8, a byte order mark allowed.
    static func read(_ path: String) throws -> [[String]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClientError(.badFile, "Cannot read \(path): check the path.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ClientError(
                .badFile, "\(path) is not UTF-8 text: save it as \"CSV UTF-8\" (Excel: File › Save As › CSV UTF-8).")
        }
        return CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
    }
}

/// What an import did (`import --json`; protocol/cli/import.json): the failed lines say why, as the text does.
struct ImportJSON: Encodable {
    /// Records added or updated.
    var imported = 0
    var failed = 0
    var failures: [String] = []
    /// Lines left out as duplicates.
    var skipped = 0
    /// Each line that names or looks like a record already there (left out, or imported and reported), and which.
    var duplicates: [String] = []
    /// Records added.
    var created = 0
    /// Records an `id` line changed.
    var updated = 0
    /// `id` lines that changed nothing.
    var unchanged = 0

    /// The report in words.
    func text(_ kind: EntityKind) -> String {
        var parts = [
            "Imported "
                + (kind == .opportunity
                    ? counted(imported, "opportunity", plural: "opportunities") : counted(imported, kind.rawValue))
        ]
        if updated > 0 || unchanged > 0 {
            parts[0] += " (\(created) new, \(updated) updated\(unchanged > 0 ? ", \(unchanged) unchanged" : ""))"
        }
        if skipped > 0 { parts.append("\(counted(skipped, "duplicate")) left out") }
        var text = parts.joined(separator: ", ") + "; \(counted(failed, "line")) failed."
        for failure in failures { text += "\n  \(failure)" }
        if !duplicates.isEmpty {
            text += "\nDuplicates (a manager merges likely ones with `fieldsync customer merge`):"
            for duplicate in duplicates { text += "\n  \(duplicate)" }
        }
        return text
    }
}
