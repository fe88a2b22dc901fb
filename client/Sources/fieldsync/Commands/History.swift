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
        let id =
            (try? store.resolve(record))
            ?? RecordID(trusted: record.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        let history = try await transport.history(of: id, token: token)
        if global.json { return try global.printJSON(history) }
        printTable(
            ["WHEN", "WHO", "WHAT", "FROM", "TO"],
            history.entries.map { entry in
                [
                    RecordOutput.date(entry.acceptedAtMs), entry.author,
                    [entry.op, entry.field].compactMap { $0 }.joined(separator: " "),
                    entry.oldValue.map(RecordOutput.text) ?? "", entry.newValue.map(RecordOutput.text) ?? "",
                ]
            })
    }
}
