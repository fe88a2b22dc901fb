import ArgumentParser
import FieldSyncCommandLine
import FieldSyncModel
import FieldSyncServer
import Foundation

/// `fieldsync-server user …`: account administration on the server's database.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, list, change, rename, disable, enable and delete users; show the log.",
        discussion: "Example: fieldsync-server user set-role ana manager --db fieldsync-data/fieldsync.sqlite",
        subcommands: [
            Add.self, List.self, Passwd.self, SetRole.self, SetTeam.self, SetTerritories.self, Rename.self,
            Disable.self, Enable.self, Delete.self, Log.self,
        ])

    /// Runs `action` on the existing database and prints `done`, with the store's message if it cannot.
    static func apply(in database: DatabaseOptions, done: String, _ action: (any SyncStore) async throws -> Void)
        async throws
    {
        do {
            try await action(try await database.open(existing: true))
            print(done)
        } catch let error as StoreError {
            throw CommandFailure(error.description)
        }
    }

    /// Applies `change` to `name` and prints `done`.
    static func apply(_ change: AccountChange, to name: String, in database: DatabaseOptions, done: String)
        async throws
    {
        try await apply(in: database, done: done) { try await $0.change(name, change) }
    }

    /// `user passwd NAME`: a new password, asked on the terminal or read with `--password-stdin`.
    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password; their laptops must log in again.",
            discussion: "Example: echo 'n3w-secret' | fieldsync-server user passwd ana --password-stdin")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Flag(help: "Read the password from standard input (without it, it is asked on the terminal).")
        var passwordStdin = false
        @Option(help: "PBKDF2 iterations.") var passwordIterations = PasswordHasher.defaultIterations

        func validate() throws {
            try PasswordPrompt.checkSource(fromStdin: passwordStdin)
        }

        func run() async throws {
            let password = PasswordPrompt.password(fromStdin: passwordStdin, prompt: "New password for \(name): ")
            guard password.count >= 8 else { throw ValidationError("The password needs at least 8 characters.") }
            let hash = PasswordHasher(iterations: passwordIterations).hash(password)
            try await UserCommand.apply(
                .password(hash: hash), to: name, in: database,
                done: "\(name)'s password is changed; their tokens are revoked, so each laptop logs in again.")
        }
    }

    /// `user set-role NAME ROLE`.
    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-role", abstract: "Change a user's role (their laptops re-sync their view).",
            discussion: "Example: fieldsync-server user set-role ana manager")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Argument(help: "rep, manager or admin.") var role: String

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("The role is rep, manager or admin.") }
        }

        func run() async throws {
            try await UserCommand.apply(
                .role(Role(rawValue: role)!), to: name, in: database, done: "\(name) is now a \(role).")
        }
    }

    /// `user rename OLD NEW`.
    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a user; their laptops log in again under the new name.",
            discussion: """
                The record history keeps the name each change was made under; `user log` ties the old name to the \
                new one. Cards that name the user as owner or visiting rep keep the old name until a manager \
                reassigns them.

                Example: fieldsync-server user rename ana ana.wang
                """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Current login name.") var name: String
        @Argument(help: "New login name.") var newName: String

        func validate() throws { try UserCommand.checkName(newName) }

        func run() async throws {
            try await UserCommand.apply(
                .rename(newName), to: name, in: database,
                done: "\(name) is now \(newName); their tokens are revoked, so each laptop logs in as \(newName).")
        }
    }

    /// `user delete NAME --yes`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user for good: no login, tokens revoked; the name stays in the history.",
            discussion: """
                Nothing the user wrote is removed: the history keeps their name, and no new account may take it. \
                To stop someone for a while, use `user disable`.

                Example: fieldsync-server user delete bo --yes
                """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Flag(help: "Confirm: a deleted account cannot be enabled again.") var yes = false

        func validate() throws {
            guard yes else {
                throw ValidationError(
                    "Deleting \(name) cannot be undone: add --yes to confirm (or use `user disable \(name)`).")
            }
        }

        func run() async throws {
            try await UserCommand.apply(.delete, to: name, in: database, done: "\(name) is deleted.")
        }
    }

    /// `user log [NAME]`: the account log.
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every change to accounts: who changed what, when.",
            discussion: "Example: fieldsync-server user log ana")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Only this account (as named at the time of each change).") var name: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let entries = try await database.open(existing: true).accountLog().filter {
                name == nil || $0.account == name
            }
            if json { return try CommandLineTool.printJSON(entries) }
            if entries.isEmpty { return print(name.map { "No changes to \($0) in the log." } ?? "The log is empty.") }
            let formatter = ISO8601DateFormatter()
            for entry in entries {
                let when = formatter.string(from: Date(timeIntervalSince1970: Double(entry.atMs) / 1000))
                print("\(when)  \(entry.account)  \(entry.action)  \(entry.detail)  (by \(entry.by))")
            }
        }
    }

    /// Refuses a login name that is empty, longer than 64 characters or has spaces.
    static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 64, !name.contains(where: \.isWhitespace) else {
            throw ValidationError("A user name has 1–64 characters and no spaces.")
        }
    }

    /// `user set-team NAME TEAM`.
    struct SetTeam: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-team", abstract: "Move a user to another team (the managers of both re-sync their view).",
            discussion: "Example: fieldsync-server user set-team ana south")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Argument(help: "Team name.") var team: String

        func validate() throws {
            guard !team.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("Name a team.") }
        }

        func run() async throws {
            try await UserCommand.apply(.team(team), to: name, in: database, done: "\(name) is now in team \(team).")
        }
    }

    /// `user add NAME --role R --team T --territory X,Y --password-stdin`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; the password is read from stdin.",
            discussion:
                "Example: echo 's3cret-pass' | fieldsync-server user add ana --role rep --team north --territory east --password-stdin"
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Option(help: "rep, manager or admin.") var role: String
        @Option(help: "Team name (a manager sees their team's territories).") var team: String
        @Option(help: "Comma-separated territories.") var territory: String = ""
        @Flag(help: "Read the password from standard input (required).") var passwordStdin = false
        @Option(help: "PBKDF2 iterations.") var passwordIterations = PasswordHasher.defaultIterations

        func validate() throws {
            guard passwordStdin else { throw ValidationError("Pass --password-stdin and pipe the password in.") }
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be rep, manager or admin.") }
            try UserCommand.checkName(name)
        }

        func run() async throws {
            let password = readLine(strippingNewline: true) ?? ""
            guard password.count >= 8 else { throw ValidationError("The password needs at least 8 characters.") }
            let store = try await database.open()
            let hash = PasswordHasher(iterations: passwordIterations).hash(password)
            do {
                let user = try await store.addUser(
                    name: name, role: Role(rawValue: role)!, team: team, territories: territoryList(territory),
                    passwordHash: hash)
                print(
                    "Added \(user.role.rawValue) \(user.name) (team \(user.team); territories \(user.territories.joined(separator: ", ")))"
                )
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
        }
    }

    /// `user list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List users.", discussion: "Example: fieldsync-server user list --json")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try await database.open(existing: true)
            let users = try await store.users()
            var deleted = Set<String>()
            for entry in try await store.accountLog() {
                if entry.action == "deleted" { deleted.insert(entry.account) }
            }
            if json { return try CommandLineTool.printJSON(users) }
            print("NAME             ROLE      TEAM         STATUS    TERRITORIES")
            for user in users {
                print(
                    user.name.padding(toLength: 16, withPad: " ", startingAt: 0) + " "
                        + user.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + " "
                        + user.team.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                        + (deleted.contains(user.name) ? "deleted " : user.disabled ? "disabled" : "active  ") + "  "
                        + user.territories.joined(separator: ","))
            }
        }
    }

    /// `user set-territories NAME X,Y`.
    struct SetTerritories: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-territories",
            abstract: "Replace a user's territories (their laptops' next sync brings just the change).",
            discussion: """
                The next sync of each of their laptops (and of their manager's) brings the records of the territories \
                added and drops those of the territories taken away; nothing else is sent again.

                Example: fieldsync-server user set-territories ana east,west
                """
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Argument(help: "Comma-separated territories (empty for none).") var territories: String

        func run() async throws {
            let list = territoryList(territories)
            try await UserCommand.apply(in: database, done: "\(name) now works in: \(list.joined(separator: ", "))") {
                try await $0.setTerritories(of: name, to: list)
            }
        }
    }

    /// `user enable NAME`: undoes `disable`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled user (they log in again).",
            discussion: "Example: fieldsync-server user enable ana")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String

        func run() async throws {
            try await UserCommand.apply(in: database, done: "\(name) is enabled.") {
                try await $0.setDisabled(name, false)
            }
        }
    }

    /// `user disable NAME` (`--enable`, kept for scripts, is `user enable`).
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a user and revoke their tokens.",
            discussion: "Example: fieldsync-server user disable ana")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Flag(help: ArgumentHelp("Re-enable instead (use `user enable`).", visibility: .hidden)) var enable = false

        func run() async throws {
            let done = enable ? "\(name) is enabled." : "\(name) is disabled; their tokens are revoked."
            try await UserCommand.apply(in: database, done: done) { try await $0.setDisabled(name, !enable) }
        }
    }
}

/// Splits `X,Y` into trimmed, non-empty territory names.
func territoryList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
