import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync rejected [list | edit ID | retry ID | discard ID]`.
struct Rejected: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Changes the server refused: never dropped without you seeing them.",
        discussion: "Example: fieldsync rejected",
        subcommands: [List.self, Edit.self, Retry.self, Discard.self], defaultSubcommand: List.self)
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
            if global.json { return try global.printJSON(SavedJSON(mutation)) }
            print("Change #\(id) is pending again as #\(mutation.seq); sync to send it.")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fix a refused change and send it again (as a new pending edit).",
            discussion: """
                Each --set replaces what the change set on the record it wrote first (the card it added or edited); \
                the rest of the change is made again as it was.

                Example: fieldsync rejected edit 13 --set email=wang@example.com
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The refused change's id.") var id: UInt64
        @OptionGroup var fields: FieldOptions
        func validate() throws {
            if fields.isEmpty { throw ValidationError("Give at least one --set, --tag or --untag.") }
        }
        func run() throws {
            let store = try global.store()
            guard let entry = try store.rejected().first(where: { $0.seq == id }),
                let first = entry.mutation.records.first
            else {
                throw ClientError(
                    .notFound, "No rejected change #\(id) with a record to fix: see `fieldsync rejected`.")
            }
            let created = entry.mutation.writes.lazy.compactMap { write -> EntityKind? in
                if case .create(first, let entity) = write { entity } else { nil }
            }.first
            guard let entity = try created ?? store.record(first)?.entity else {
                throw ClientError(
                    .notFound,
                    "The record change #\(id) wrote is gone: discard it with `fieldsync rejected discard \(id)`.")
            }
            let changes = try fields.changes(of: entity, store: store)
            let mutation = try store.retryRejected(id) { record, builder in
                try changes.apply(to: record, skippingUnchanged: true, &builder)
                return changes.fields
            }
            if global.json { return try global.printJSON(SavedJSON(mutation)) }
            print("Change #\(id), fixed, is pending again as #\(mutation.seq); sync to send it.")
        }
    }

    struct Discard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a refused change.", discussion: "Example: fieldsync rejected discard 13")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The refused change's id.") var id: UInt64
        @Flag(help: "Do not ask for confirmation.") var yes = false
        func run() throws {
            let store = try global.store()
            let summary = try store.rejected().first { $0.seq == id }?.summary ?? ""
            try Confirmation.ask("Discard refused change #\(id) (\(summary))? It will not be sent.", yes: yes)
            try store.discardRejected(id)
            print("Discarded change #\(id).")
        }
    }
}
