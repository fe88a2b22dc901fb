import ArgumentParser
import FieldSyncCommandLine
import FieldSyncModel
import FieldSyncServer
import Foundation
import Synchronization

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

/// `fieldsync-server migrate`: upgrades the database's tables, then its stored data to the newest schema version.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upgrade the database's tables, then its stored data to the newest schema version.",
        discussion: """
            First the tables (a release may add some). Then the data: records and history stored under the old \
            name of a renamed field (schema version 2 renamed opportunity.competitor to mainCompetitor) are \
            rewritten under the current name, --batch-size records \
            per short transaction, while servers keep serving: they read old names as new ones meanwhile, and a \
            record a push changes during the run is already written under the new name. Progress is printed at \
            most once a second. A killed migrate loses nothing: run it again and it skips what is done. Run it once \
            every server node runs the new release.

            Example: fieldsync-server migrate --db postgres://fieldsync@db.internal/fieldsync
            """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Records per transaction.", valueName: "count")) var batchSize = 500

    func validate() throws {
        guard (1...100_000).contains(batchSize) else {
            throw ValidationError("--batch-size must be 1 to 100000 records (500 is the default).")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let store = try await database.open()
        let lastLine = Mutex(ContinuousClock.now)
        let report = try await store.upgradeStoredData(StoredDataUpgrade(), batchSize: batchSize) { progress in
            let due = lastLine.withLock { last in
                guard last.duration(to: .now) >= .seconds(1) else { return false }
                last = .now
                return true
            }
            if due { print("migrate: \(progress.line)") }
        }
        await store.close()
        let seconds = started.duration(to: .now) / .seconds(1)
        print(
            "Database \(try database.location()) is up to date: schema version \(Schema.fieldSync.version)"
                + " (\(report.line), in \(String(format: "%.1f s", seconds))).")
        if report.changedMeanwhile > 0 {
            print("\(report.changedMeanwhile) records changed by pushes during the run were already written anew.")
        }
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
