import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync pending [list | undo N]`.
struct Pending: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edits made on this laptop and not yet synced; undo one before it is sent.",
        discussion: "Example: fieldsync pending undo 12", subcommands: [List.self, Undo.self],
        defaultSubcommand: List.self)
}

extension Pending {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List unsent edits, oldest first.", discussion: "Example: fieldsync pending list --json")
        @OptionGroup var global: GlobalOptions
        func run() throws {
            let edits = try global.store().pendingEdits()
            if global.json { return try global.printJSON(edits.map(PendingJSON.init)) }
            if edits.isEmpty { return print("Nothing waiting: every edit is synced.") }
            printTable(
                ["#", "MADE", "CHANGE"], edits.map { ["\($0.seq)", global.time.text(ms: $0.madeMs), $0.summary] })
            if outputIsTerminal { print("(times in \(global.time.label())); undo one: fieldsync pending undo N") }
        }
    }

    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take back an unsent edit; the records show as they were without it.",
            discussion: """
                An edit a later one builds on is undone after it; an edit a cut-off sync may already have sent is \
                changed back with a new edit instead. Asks first on a terminal; --yes skips the question.

                Example: fieldsync pending undo 12
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The edit's number (see fieldsync pending).") var number: UInt64
        @Flag(help: "Do not ask for confirmation.") var yes = false
        func run() throws {
            let store = try global.store()
            guard let edit = try store.pendingEdits().first(where: { $0.seq == number }) else {
                throw ClientError(.notFound, "No pending edit #\(number): see `fieldsync pending`.")
            }
            try Confirmation.ask("Undo #\(number) (\(edit.summary))?", yes: yes)
            let undone = try store.undoPending(number)
            if global.json { return try global.printJSON(PendingJSON(undone)) }
            print("Undid #\(number): \(undone.summary).")
        }
    }
}
