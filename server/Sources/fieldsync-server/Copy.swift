import ArgumentParser
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
            """)

    @Option(help: ArgumentHelp("The deployment to copy: SQLite file or postgres:// URL.", valueName: "path-or-url"))
    var from: String
    @Option(help: ArgumentHelp("A new, empty database: SQLite file or postgres:// URL.", valueName: "path-or-url"))
    var to: String

    func validate() throws {
        for text in [from, to] {
            do { _ = try StoreLocation(text) } catch { throw ValidationError("\(error)") }
        }
        guard from != to else { throw ValidationError("--from and --to name the same database.") }
        let source = try StoreLocation(from)
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("No database at \(path): --from must name an existing deployment.")
        }
    }

    func run() async throws {
        let source = try await DatabaseOptions.open(try StoreLocation(from))
        let started = ContinuousClock.now
        let dump = try await source.dump()
        await source.close()
        let target = try await DatabaseOptions.open(try StoreLocation(to))
        do {
            try await target.load(dump)
            guard try await target.dump() == dump else {
                let readBack = try await target.dump()
                let table = StoreDump.tables.first { readBack.tables[$0.name] != dump.tables[$0.name] }?.name ?? "?"
                throw StoreError.copyMismatch(table: table)
            }
        } catch let error as StoreError {
            await target.close()
            throw CommandFailure(error.description)
        }
        await target.close()
        let counts = dump.counts.map { "\($0.table) \($0.rows)" }.joined(separator: ", ")
        let elapsed = started.duration(to: .now).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print(
            "Copied \(try StoreLocation(from)) to \(try StoreLocation(to)) in \(String(format: "%.2f s", seconds)): \(counts)."
        )
    }
}
