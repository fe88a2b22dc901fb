import ArgumentParser
import FieldSyncCommandLine
import FieldSyncServer
import Foundation

/// `fieldsync-server`: the FieldSync sync server and its administration.
@main
struct FieldSyncServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldsync-server",
        abstract: "The FieldSync sync server: serve laptops, manage users, report stats.",
        discussion: """
            \(CommandLineTool.exitCodes)

            Every option can also come from an environment variable (FIELDSYNC_SERVER_ and its name in capitals, \
            dashes as underscores: FIELDSYNC_SERVER_DB, FIELDSYNC_SERVER_LOG_FORMAT) or from a YAML config file \
            (--config FILE or $FIELDSYNC_SERVER_CONFIG; top-level keys for every subcommand, a section per \
            subcommand). The command line wins over the environment, the environment over the file.

            Example: fieldsync-server serve --db /var/lib/fieldsync/fieldsync.sqlite --host 0.0.0.0
            """,
        version: CommandLineTool.version(of: "fieldsync-server"),
        subcommands: [
            Serve.self, UserCommand.self, Stats.self, Migrate.self, Copy.self, BackupCommand.self, RestoreCommand.self,
        ]
    )

    /// Runs the command with FieldSync's exit codes: 0 success, 1 failure, 2 usage error.
    static func main() async {
        await CommandLineTool.main(
            Self.self, globalOptions: ["--db": true, "--json": false, "--log-format": true, "--log-level": true],
            sources: { try ConfigFile.sources(&$0) })
    }
}

/// `--db`, shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "SQLite database file, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE for several server nodes.",
            valueName: "path-or-url"))
    var db: String = "fieldsync-data/fieldsync.sqlite"

    func validate() throws {
        _ = try location()
    }

    /// Where the data lives.
    func location() throws -> StoreLocation {
        do {
            return try StoreLocation(db)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Opens the store (running migrations), with a one-line error for the user if it cannot. With `existing`, a
    /// SQLite file that is not there is an error instead of a new, empty database (commands that only read or
    /// change what is there never create one: an empty database would look like lost data).
    func open(durable: Bool = false, existing: Bool = false) async throws -> any SyncStore {
        let location = try location()
        if existing, case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure(
                "No database at \(path): give --db the server's database file (`serve`, `migrate` and `user add`"
                    + " create one).")
        }
        return try await Self.open(location, durable: durable)
    }

    /// Opens `location`, with a one-line error for the user if it cannot.
    static func open(_ location: StoreLocation, durable: Bool = false) async throws -> any SyncStore {
        do {
            return try await location.open(durable: durable)
        } catch {
            throw CommandFailure("Cannot open database \(location): \(StoreLocation.explain(error))")
        }
    }
}

/// `fieldsync-server migrate`: creates or upgrades the database schema, then exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the database schema, then exit.",
        discussion: "Example: fieldsync-server migrate --db postgres://fieldsync@db.internal/fieldsync")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try await database.open()
        await store.close()
        print("Database \(try database.location()) is up to date.")
    }
}

/// `fieldsync-server stats`: counts and each replica's clock offset.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show record counts, conflicts, and each laptop's clock offset from the server.",
        discussion: "Example: fieldsync-server stats --json")
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let stats = try await database.open(existing: true).stats()
        if json { return try CommandLineTool.printJSON(stats) }
        print(
            "users \(stats.users)   records \(stats.records)   in conflict \(stats.recordsInConflict)   change seq \(stats.changeSeq)"
        )
        guard !stats.replicas.isEmpty else { return }
        print("\nREPLICA                          USER             LAST SEQ   CLOCK OFFSET")
        for replica in stats.replicas {
            let offset = replica.clockOffsetMs.map { Self.describe(offsetMs: $0) } ?? "-"
            print(
                replica.replica.padding(toLength: 32, withPad: " ", startingAt: 0) + " "
                    + replica.user.padding(toLength: 16, withPad: " ", startingAt: 0) + " "
                    + String(replica.lastSeq).padding(toLength: 10, withPad: " ", startingAt: 0) + " " + offset)
        }
    }

    static func describe(offsetMs: Int64) -> String {
        let seconds = Double(offsetMs) / 1000
        return abs(seconds) < 1
            ? "\(offsetMs) ms"
            : String(format: "%+.1f s%@", seconds, abs(seconds) > 60 ? "  (check this laptop's clock)" : "")
    }
}
