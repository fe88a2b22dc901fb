import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync login --server URL --user NAME --password-stdin`.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log this laptop in to a FieldSync server.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Server URL, e.g. http://127.0.0.1:8420.") var server: String
    @Option(help: "Your user name.") var user: String
    @Flag(help: "Read the password from standard input (required).") var passwordStdin = false

    func validate() throws {
        if !passwordStdin { throw ValidationError("Pass --password-stdin and pipe the password in.") }
    }

    func run() async throws {
        let password = readLine(strippingNewline: true) ?? ""
        let store = try global.store()
        let transport = try HTTPTransport(server: server)
        let response = try await transport.login(LoginRequest(user: user, password: password, replica: store.replica))
        try TokenFile(directory: global.directory).write(response.token)
        try store.startSession(response, server: server)
        if global.json {
            return try global.printJSON([
                "user": response.user, "role": response.role.rawValue, "replica": store.replica.rawValue,
            ])
        }
        print(
            "Logged in as \(response.user) (\(response.role.rawValue), territories \(response.territories.joined(separator: ", "))) on \(server)"
        )
    }
}

/// `fieldsync logout`.
struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log out: revoke the token (pending edits stay).")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.store()
        if let (_, token, transport) = try? global.connection(store) { try? await transport.logout(token: token) }
        TokenFile(directory: global.directory).remove()
        try store.setSession(nil, serverHLC: nil)
        let pending = try store.status().pending
        print("Logged out.\(pending > 0 ? " \(pending) edits stay pending until you log in and sync." : "")")
    }
}

/// `fieldsync sync [--dry-run]`.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Push pending edits, then pull what changed.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Show what would be pushed without sending anything.") var dryRun = false

    func run() async throws {
        let store = try global.store()
        if dryRun {
            let pending = try store.pendingSummaries()
            if global.json {
                return try global.printJSON(pending.map { ["seq": String($0.seq), "summary": $0.summary] })
            }
            print(
                pending.isEmpty
                    ? "Nothing to push." : "Would push \(pending.count) change\(pending.count == 1 ? "" : "s"):")
            for entry in pending { print("  #\(entry.seq) \(entry.summary)") }
            return
        }
        let (_, token, transport) = try global.connection(store)
        let summary = try await SyncEngine(store: store, transport: transport, token: token).sync { progress in
            guard outputIsTerminal, !global.json else { return }
            FileHandle.standardOutput.write(
                Data(
                    "\r↑ \(progress.pushed) changes \(progress.bytesUp / 1024) KiB   ↓ \(progress.pulled) records \(progress.bytesDown / 1024) KiB"
                        .utf8))
        }
        if outputIsTerminal && !global.json { print("") }
        if global.json { return try global.printJSON(summary) }
        print(
            "pushed \(summary.pushed), applied \(summary.acknowledged), rejected \(summary.rejected.count), pulled \(summary.pulled), new conflicts \(summary.newConflicts), left this laptop \(summary.removed)"
        )
        for reason in summary.rejected { print("  rejected \(reason)") }
        if !summary.rejected.isEmpty { print("Review refused changes with `fieldsync rejected`.") }
        if summary.newConflicts > 0 { print("Review conflicts with `fieldsync conflicts`.") }
        if let offset = try store.status().clockOffsetMs, abs(offset) > 60_000 {
            print(
                "Warning: this laptop's clock is \(offset / 1000) s \(offset > 0 ? "ahead of" : "behind") the server's: set it right."
            )
        }
    }
}

/// `fieldsync status`.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Who you are, what is pending, refused and in conflict.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let store = try global.store()
        var report = try store.status()
        report.conflicts = try store.conflicts().count
        if global.json { return try global.printJSON(report) }
        if let session = report.session {
            print(
                "server     \(session.server)\nuser       \(session.user) (\(session.role.rawValue), team \(session.team))"
            )
        } else {
            print("not logged in")
        }
        print("replica    \(report.replica)")
        print(
            "last push  \(report.lastPushMs.map(RecordOutput.date) ?? "never")\nlast pull  \(report.lastPullMs.map(RecordOutput.date) ?? "never")"
        )
        let byEntity = report.pendingByEntity.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", ")
        print("pending    \(report.pending)\(byEntity.isEmpty ? "" : " (\(byEntity))")")
        print("rejected   \(report.rejected)\nconflicts  \(report.conflicts)\nrecords    \(report.records)")
        if let offset = report.clockOffsetMs, abs(offset) > 60_000 {
            print("clock      \(offset / 1000) s off the server's: set it right")
        }
    }
}

/// `fieldsync conflicts [list | show ID | resolve ID --take N | resolve ID --value V]`.
struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Review and resolve conflicts.", subcommands: [List.self, Show.self, Resolve.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List open conflicts.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Every conflict in your team's records (managers), with who wrote what.") var team = false
        func run() throws {
            let conflicts = try global.store().conflicts()
            if global.json { return try global.printJSON(conflicts) }
            if conflicts.isEmpty { return print("No conflicts.") }
            printTable(
                ["CONFLICT", "SHOWN", "VALUES"],
                conflicts.map { conflict in
                    let shown =
                        conflict.heads.first { $0.id == conflict.winner }.map { RecordOutput.text($0.value) }
                        ?? "(deleted elsewhere)"
                    let values = conflict.heads.enumerated().map { index, head in
                        "\(index + 1)) \(RecordOutput.text(head.value))" + (team ? " by \(head.author)" : "")
                    }.joined(separator: "  ")
                    return [conflict.id, shown, values]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every value of a conflict, who wrote it and when.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Conflict id (record/field), or a record.") var id: String
        func run() throws {
            let conflict = try Conflicts.find(id, global.store())
            if global.json { return try global.printJSON(conflict) }
            print("\(conflict.entity.rawValue) \(conflict.record) \(conflict.field ?? "deleted elsewhere")")
            for (index, head) in conflict.heads.enumerated() {
                let mark = head.id == conflict.winner ? "  ← shown" : ""
                print(
                    "  \(index + 1)) \(RecordOutput.text(head.value))  by \(head.author) at \(RecordOutput.date(head.hlc.wallMs))\(mark)"
                )
            }
            for delete in conflict.deletes {
                print("  deleted by \(delete.author) at \(RecordOutput.date(delete.hlc.wallMs))")
            }
            print(
                conflict.kind == .value
                    ? "Resolve: fieldsync conflicts resolve \(conflict.id) --take N | --value V"
                    : "Resolve: fieldsync conflicts resolve \(conflict.id) --keep | --delete")
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve a conflict with one of its values or a new one.")
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
            try store.edit(summary: "resolve \(conflict.id)") { builder in
                if keep { return try builder.restore(conflict.record) }
                if delete { return try builder.delete(conflict.record) }
                guard let field = conflict.field else {
                    throw ClientError("bad_resolution", "Use --keep or --delete for a delete conflict.")
                }
                let chosen: Value
                if let take {
                    guard conflict.heads.indices.contains(take - 1) else {
                        throw ClientError("bad_resolution", "--take must be 1…\(conflict.heads.count).")
                    }
                    chosen = conflict.heads[take - 1].value
                } else {
                    chosen = try parseValue(value, field, conflict.entity, store)
                }
                try builder.set(conflict.record, field, chosen)
            }
            print("Resolved \(conflict.id); sync to share it.")
        }
    }

    static func find(_ id: String, _ store: LocalStore) throws -> Conflict {
        let conflicts = try store.conflicts()
        if let exact = conflicts.first(where: { $0.id == id }) { return exact }
        let record = try? store.resolve(id)
        let matches = conflicts.filter { $0.record == record }
        guard matches.count == 1 else {
            throw ClientError(
                "not_found",
                matches.isEmpty
                    ? "No open conflict '\(id)': see `fieldsync conflicts`."
                    : "'\(id)' has several conflicts: name one as record/field.")
        }
        return matches[0]
    }
}

/// `fieldsync rejected [list | retry ID | discard ID]`.
struct Rejected: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Changes the server refused: never dropped without you seeing them.",
        subcommands: [List.self, Retry.self, Discard.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List refused changes with the server's reasons.")
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
            abstract: "Make a refused change again (as a new pending edit).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The refused change's id.") var id: UInt64
        func run() throws {
            let mutation = try global.store().retryRejected(id)
            print("Change #\(id) is pending again as #\(mutation.seq); sync to send it.")
        }
    }

    struct Discard: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a refused change.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The refused change's id.") var id: UInt64
        func run() throws {
            try global.store().discardRejected(id)
            print("Discarded change #\(id).")
        }
    }
}

/// `fieldsync history RECORD`.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The server's audit trail of a record (needs the network).")
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
