import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync rejected [list | retry ID | discard ID]`.
struct Rejected: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Changes the server refused: never dropped without you seeing them.",
        discussion: "Example: fieldsync rejected",
        subcommands: [List.self, Retry.self, Discard.self], defaultSubcommand: List.self)
}

extension Rejected {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List refused changes with the server's reasons.",
            discussion: "Example: fieldsync rejected list --json")
        @OptionGroup var global: GlobalOptions
        func run() throws {
            let rejected = try global.store().rejected()
            if global.json { return try global.printJSON(rejected) }
            if rejected.isEmpty { return print("No refused changes.") }
            printTable(["ID", "CHANGE", "REASON"], rejected.map { ["\($0.seq)", $0.summary, $0.reason] })
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a refused change again (as a new pending edit).",
            discussion: "Example: fieldsync rejected retry 13")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The refused change's id.") var id: UInt64
        func run() throws {
            let mutation = try global.store().retryRejected(id)
            print("Change #\(id) is pending again as #\(mutation.seq); sync to send it.")
        }
    }

    struct Discard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a refused change.", discussion: "Example: fieldsync rejected discard 13")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The refused change's id.") var id: UInt64
        func run() throws {
            try global.store().discardRejected(id)
            print("Discarded change #\(id).")
        }
    }
}
