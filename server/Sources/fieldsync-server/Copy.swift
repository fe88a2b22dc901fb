import ArgumentParser
import FieldSyncCommandLine
import FieldSyncServer
import Foundation

/// `fieldsync-server copy --from A --to B`: moves a deployment between SQLite and PostgreSQL.
struct Copy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a whole deployment to a new, empty database (SQLite to PostgreSQL, or back).",
        discussion: """
            Users, tokens, laptops' replicas and their sequence positions, records with their heads and conflicts, \
            history, moves, refusals and the change counter are copied as they are, so laptops keep syncing \
            without a reset. Stop every server on the source first; the copy reads one consistent snapshot, writes \
            the target in one transaction, then reads it back and compares.

            Example: fieldsync-server copy --from fieldsync-data/fieldsync.sqlite --to postgres://fieldsync@db.internal/fieldsync
            """)

    @Option(help: ArgumentHelp("The deployment to copy: SQLite file or postgres:// URL.", valueName: "path-or-url"))
    var from: String
    @Option(help: ArgumentHelp("A new, empty database: SQLite file or postgres:// URL.", valueName: "path-or-url"))
    var to: String

    func validate() throws {
        let (source, _) = try locations()
        guard from != to else { throw ValidationError("--from and --to name the same database.") }
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("No database at \(path): --from must name an existing deployment.")
        }
    }

    /// Refuses a SQLite source or target that a running server holds: the copy would miss its later pushes.
    func checkNotServed(_ location: StoreLocation) throws {
        guard case .sqlite(let path) = location else { return }
        do {
            try DatabaseLock.checkFree(databaseAt: path)
        } catch let error as StoreError {
            throw CommandFailure(error.description)
        }
    }

    /// `--from` and `--to`, read.
    func locations() throws -> (from: StoreLocation, to: StoreLocation) {
        do {
            return (try StoreLocation(from), try StoreLocation(to))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let (sourceLocation, targetLocation) = try locations()
        try checkNotServed(sourceLocation)
        try checkNotServed(targetLocation)
        let started = ContinuousClock.now
        let source = try await DatabaseOptions.open(sourceLocation)
        let dump = try await source.dump()
        await source.close()
        let target = try await DatabaseOptions.open(targetLocation)
        do {
            try await target.load(dump, replacing: false)
            let readBack = try await target.dump()
            if let table = StoreDump.tables.first(where: { readBack.tables[$0.name] != dump.tables[$0.name] }) {
                throw StoreError.copyMismatch(table: table.name)
            }
        } catch let error as StoreError {
            await target.close()
            throw CommandFailure(error.description)
        }
        await target.close()
        let counts = dump.counts.map { "\($0.table) \($0.rows)" }.joined(separator: ", ")
        let seconds = started.duration(to: .now) / .seconds(1)
        print("Copied \(sourceLocation) to \(targetLocation) in \(String(format: "%.2f s", seconds)): \(counts).")
    }
}
