import ArgumentParser
import FieldSyncCommandLine
import FieldSyncModel
import FieldSyncServer
import Foundation

/// `fieldsync-server user …`: account administration on the server's database.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, list, change and disable users.",
        subcommands: [Add.self, List.self, SetTerritories.self, Disable.self])

    /// `user add NAME --role R --team T --territory X,Y --password-stdin`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; the password is read from stdin.")
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
            guard !name.isEmpty, name.count <= 64, !name.contains(where: \.isWhitespace) else {
                throw ValidationError("A user name has 1–64 characters and no spaces.")
            }
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
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let users = try await database.open(existing: true).users()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(users), as: UTF8.self))
                return
            }
            print("NAME             ROLE      TEAM         STATUS    TERRITORIES")
            for user in users {
                print(
                    user.name.padding(toLength: 16, withPad: " ", startingAt: 0) + " "
                        + user.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + " "
                        + user.team.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                        + (user.disabled ? "disabled" : "active  ") + "  " + user.territories.joined(separator: ","))
            }
        }
    }

    /// `user set-territories NAME X,Y`.
    struct SetTerritories: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-territories", abstract: "Replace a user's territories (their laptops re-sync their view)."
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Argument(help: "Comma-separated territories (empty for none).") var territories: String

        func run() async throws {
            do {
                try await database.open(existing: true).setTerritories(of: name, to: territoryList(territories))
                print("\(name) now works in: \(territoryList(territories).joined(separator: ", "))")
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
        }
    }

    /// `user disable NAME` (and `--enable` to undo).
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user and revoke their tokens.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Login name.") var name: String
        @Flag(help: "Re-enable instead.") var enable = false

        func run() async throws {
            do {
                try await database.open(existing: true).setDisabled(name, !enable)
                print(enable ? "\(name) is enabled." : "\(name) is disabled; their tokens are revoked.")
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
        }
    }
}

/// Splits `X,Y` into trimmed, non-empty territory names.
func territoryList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
