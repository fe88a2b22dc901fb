import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync history RECORD`.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The server's audit trail of a record (needs the network).",
        discussion: "Example: fieldsync history 杭州西湖茶业")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Id, unique id prefix, or exact name.") var record: String

    func run() async throws {
        let store = try global.store()
        let (_, token, transport) = try global.connection(store)
        // A customer merged into another keeps its own history, ending with the merge.
        let found = try? store.resolveFollowingMerges(record)
        if let found, let from = found.mergedFrom, !global.json {
            print("\(from) was merged into \(found.id): `fieldsync history \(found.id)` shows the card kept.")
        }
        let id =
            found.map { $0.mergedFrom ?? $0.id }
            ?? RecordID(trusted: record.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        let history = try await transport.history(of: id, token: token)
        if global.json { return try global.printJSON(history) }
        let display = global.display(store)
        let entity =
            try store.record(found?.id ?? id)?.entity
            ?? EntityKind.allCases.first { id.rawValue.hasPrefix($0.idPrefix + "-") }
        if !global.json, let found, found.mergedFrom == nil { print("History of \(display.name(found.id))") }
        printTable(
            ["WHEN", "WHO", "WHAT", "FROM", "TO"],
            history.entries.map { entry in
                let spec = entity.flatMap { entity in entry.field.flatMap { store.schema[entity][$0] } }
                return [
                    global.time.text(ms: entry.acceptedAtMs), entry.author,
                    [Self.words[entry.op] ?? entry.op, entry.field].compactMap { $0 }.joined(separator: " "),
                    entry.oldValue.map { display.text($0, field: spec) } ?? "",
                    entry.newValue.map { display.text($0, field: spec) } ?? "",
                ]
            })
    }

    /// How the history names the operations a merge leaves.
    static let words = ["merge": "merged into", "absorb": "took in"]
}
