import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync search TEXT`: every record on this laptop whose text or notes hold TEXT.
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find records by any part of a name, phone, e-mail, address, other text or notes (any case).",
        discussion: """
            Digits find phone numbers however they are spaced or dashed. Works offline.

            Example: fieldsync search 温州陈
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The text to find.") var text: String
    @Option(help: "Only this entity (customer, contact, visit, opportunity, complaint).") var entity: String?
    @Option(help: "Show at most N matches.") var limit = 50

    func validate() throws {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("Give some text to find.") }
        if limit < 1 { throw ValidationError("--limit takes a number of records from 1 up; got \(limit).") }
        _ = try entity.map(EntityName.parse)
    }

    func run() throws {
        let store = try global.store()
        let search = RecordSearch(text)
        var matches: [(record: LocalRecord, field: String)] = []
        for record in try store.records(entity.map(EntityName.parse)) {
            if let field = search.match(record.state, schema: store.schema) { matches.append((record, field)) }
        }
        let shown = matches.prefix(limit)
        if global.json {
            return try global.printJSON(
                shown.map { SearchHitJSON(record: RecordJSON($0.record, schema: store.schema), field: $0.field) })
        }
        if matches.isEmpty { return print("Nothing on this laptop matches '\(text)'.") }
        let display = global.display(store)
        printTable(
            ["ID", "ENTITY", "NAME", "MATCHED"],
            shown.map { hit in
                let value =
                    hit.field == "notes"
                    ? "notes" : "\(hit.field) \(RecordOutput.text(hit.record.state.value(hit.field)))"
                return [hit.record.id.rawValue, hit.record.entity.rawValue, display.names.name(of: hit.record), value]
            })
        if matches.count > shown.count { print("(\(shown.count) of \(matches.count); --limit shows more)") }
    }
}

/// One match of `fieldsync search --json`: the record and the field that matched (`notes` for a note).
struct SearchHitJSON: Encodable {
    let record: RecordJSON
    let field: String
}
