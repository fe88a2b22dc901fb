import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync conflicts [list | show ID | resolve ID --take N | resolve ID --value V]`.
struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Review and resolve conflicts.", discussion: "Example: fieldsync conflicts",
        subcommands: [List.self, Show.self, Resolve.self],
        defaultSubcommand: List.self)

    /// A conflict's values in the order they were written (the numbers `show` gives and `--take` reads).
    static func values(_ conflict: Conflict) -> [Head] {
        conflict.heads.sorted { ($0.hlc, $0.id) < ($1.hlc, $1.id) }
    }

    /// The conflict `id` names: `record/field` (the record by id, prefix or name, as `conflicts` lists it), or a
    /// record with a single conflict.
    static func find(_ id: String, _ store: LocalStore) throws -> Conflict {
        let conflicts = try store.conflicts()
        if let exact = conflicts.first(where: { $0.id == id }) { return exact }
        if let slash = id.lastIndex(of: "/"), let record = try? store.resolve(String(id[..<slash])) {
            let field = String(id[id.index(after: slash)...])
            if let named = conflicts.first(where: { $0.record == record && ($0.field ?? "delete") == field }) {
                return named
            }
        }
        let record = try? store.resolve(id)
        let matches = conflicts.filter { $0.record == record }
        guard matches.count == 1 else {
            throw ClientError(
                .notFound,
                matches.isEmpty
                    ? "No open conflict '\(id)': see `fieldsync conflicts`."
                    : "'\(id)' has several conflicts: name one as record/field.")
        }
        return matches[0]
    }
}

extension Conflicts {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open conflicts.", discussion: "Example: fieldsync conflicts list --json")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Every conflict in your team's records (managers), with who wrote what.") var team = false
        func run() throws {
            let store = try global.store()
            let conflicts = try store.conflicts()
            if global.json { return try global.printJSON(conflicts) }
            if conflicts.isEmpty { return print("No conflicts.") }
            let display = global.display(store)
            printTable(
                ["CONFLICT", "SHOWN", "VALUES"],
                conflicts.map { conflict in
                    let shown =
                        conflict.heads.first { $0.id == conflict.winner }.map { RecordOutput.text($0.value) }
                        ?? "(deleted elsewhere)"
                    let values = Conflicts.values(conflict).enumerated().map { index, head in
                        "\(index + 1)) \(RecordOutput.text(head.value))" + (team ? " by \(head.author)" : "")
                    }.joined(separator: "  ")
                    let named =
                        global.ids ? conflict.id : "\(display.name(conflict.record))/\(conflict.field ?? "delete")"
                    return [named, shown, values]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every value of a conflict, who wrote it and when.",
            discussion: "Example: fieldsync conflicts show cus-4eerzax3tg/phone")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Conflict id (record/field), or a record.") var id: String
        func run() throws {
            let store = try global.store()
            let conflict = try Conflicts.find(id, store)
            if global.json { return try global.printJSON(conflict) }
            print(
                "\(conflict.entity.rawValue) \(global.display(store).name(conflict.record)) (\(conflict.record))"
                    + " \(conflict.field ?? "deleted elsewhere")")
            for (index, head) in Conflicts.values(conflict).enumerated() {
                let mark = head.id == conflict.winner ? "  ← shown" : ""
                print(
                    "  \(index + 1)) \(RecordOutput.text(head.value, time: global.time))  by \(head.author) at \(global.time.text(ms: head.hlc.wallMs))\(mark)"
                )
            }
            for delete in conflict.deletes {
                print("  deleted by \(delete.author) at \(global.time.text(ms: delete.hlc.wallMs))")
            }
            print(
                conflict.kind == .value
                    ? "Resolve: fieldsync conflicts resolve \(conflict.id) --take N | --value V"
                    : "Resolve: fieldsync conflicts resolve \(conflict.id) --keep | --delete")
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve a conflict with one of its values or a new one.",
            discussion: "Example: fieldsync conflicts resolve cus-4eerzax3tg/phone --take 2")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Conflict id (record/field).") var id: String
        @Option(help: "Take value number N (as listed by show).") var take: Int?
        @Option(help: "Set this value instead.") var value: String?
        @Flag(help: "Keep a record deleted elsewhere.") var keep = false
        @Flag(help: "Delete the record after all.") var delete = false

        func validate() throws {
            guard [take != nil, value != nil, keep, delete].filter({ $0 }).count == 1 else {
                throw ValidationError("Give exactly one of --take N, --value V, --keep, --delete.")
            }
        }

        func run() throws {
            let store = try global.store()
            let conflict = try Conflicts.find(id, store)
            let name = global.display(store).name(conflict.record)
            // A typed value is read before the edit's transaction (a reference is looked up in the store).
            let typed = try conflict.field.flatMap { field in
                try value.map { try parseValue($0, field, conflict.entity, store) }
            }
            let mutation = try store.edit(summary: "resolve \(name)/\(conflict.field ?? "delete")") { builder in
                if keep { return try builder.restore(conflict.record) }
                if delete { return try builder.delete(conflict.record) }
                guard let field = conflict.field else {
                    throw ClientError(.badResolution, "Use --keep or --delete for a delete conflict.")
                }
                let chosen: Value
                if let take {
                    let values = Conflicts.values(conflict)
                    guard values.indices.contains(take - 1) else {
                        throw ClientError(.badResolution, "--take must be 1…\(values.count).")
                    }
                    chosen = values[take - 1].value
                } else {
                    chosen = typed ?? .null
                }
                try builder.set(conflict.record, field, chosen)
            }
            if global.json {
                return try global.printJSON(
                    SavedJSON(id: conflict.record.rawValue, seq: mutation.seq, changes: mutation.writes.count))
            }
            print("Resolved \(conflict.id); sync to share it.")
        }
    }
}
