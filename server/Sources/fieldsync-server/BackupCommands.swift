import ArgumentParser
import FieldSyncCommandLine
import FieldSyncServer
import Foundation

/// `fieldsync-server backup --to FILE`: an online, consistent copy of the deployment in one SQLite file.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write an online, consistent copy of the deployment to one SQLite file.",
        discussion: """
            Servers keep serving while it runs. SQLite is copied with SQLite's backup API; PostgreSQL is read from \
            one repeatable-read snapshot. The file appears under its name only once complete (a killed backup \
            leaves FILE.partial, never a half FILE). Restore it with `fieldsync-server restore --from FILE`.

            Example: fieldsync-server backup --to /backups/fieldsync-$(date +%F).sqlite
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("The backup file to write (replaced if it exists).", valueName: "file"))
    var to: String

    func validate() throws {
        if case .sqlite(let path) = try database.location(),
            URL(fileURLWithPath: path).standardized == URL(fileURLWithPath: to).standardized
        {
            throw ValidationError("--to names the database itself: write the backup to another file.")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let store = try await database.open(existing: true)
        do {
            try await store.backup(to: to)
        } catch let error as StoreError {
            throw CommandFailure(error.description)
        } catch {
            throw CommandFailure("Backup to \(to) failed: \(error). Nothing was written under that name.")
        }
        let stats = try await store.stats()
        await store.close()
        let seconds = started.duration(to: .now) / .seconds(1)
        print(
            "Backed up \(try database.location()) to \(to) in \(String(format: "%.2f s", seconds)): \(stats.users)"
                + " users, \(stats.records) records, change seq \(stats.changeSeq).")
    }
}

/// `fieldsync-server restore --from FILE`: replaces the deployment with a backup, under a new server generation.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the deployment with a backup; laptops then re-offer what the backup lacks.",
        discussion: """
            Stop every server on the database first. Everything in --db is replaced in one transaction (a killed \
            restore changes nothing), and the server gets a new generation: at their next sync, laptops see it, \
            pull from the beginning, and re-offer every change they had acknowledged in their retention window \
            (30 days by default) that the backup does not hold. Laptops that logged in after the backup log in \
            again. What --db held is first backed up beside the backup file (fieldsync-before-restore-TIME.sqlite), \
            so restoring the wrong file can be undone.

            Example: fieldsync-server restore --from /backups/fieldsync-2026-12-01.sqlite
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("The backup file written by `fieldsync-server backup`.", valueName: "file"))
    var from: String
    @Flag(help: "Do not back up what --db holds before replacing it.") var noSafetyCopy = false

    func validate() throws {
        guard FileManager.default.fileExists(atPath: from) else {
            throw ValidationError("No backup at \(from): give the file `fieldsync-server backup --to` wrote.")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let dump: StoreDump
        do {
            dump = try await Backup.read(from)
        } catch let error as StoreError {
            throw CommandFailure(error.description)
        }
        let store = try await database.open()
        var safety: String?
        if !noSafetyCopy, try await store.stats().users > 0 {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            let directory = URL(fileURLWithPath: from).deletingLastPathComponent()
            let path = directory.appendingPathComponent(
                "fieldsync-before-restore-\(formatter.string(from: Date())).sqlite"
            ).path
            do {
                try await store.backup(to: path)
            } catch {
                await store.close()
                throw CommandFailure(
                    "Cannot back up what \(try database.location()) holds to \(path) before restoring (\(error)):"
                        + " nothing was changed. Free some space, or pass --no-safety-copy.")
            }
            safety = path
        }
        do {
            try await Backup.restore(dump, into: store)
        } catch {
            await store.close()
            throw CommandFailure("Restore into \(try database.location()) failed, nothing was changed: \(error)")
        }
        let generation = try await store.generation()
        await store.close()
        let counts = dump.counts.map { "\($0.table) \($0.rows)" }.joined(separator: ", ")
        let seconds = started.duration(to: .now) / .seconds(1)
        print(
            "Restored \(try database.location()) from \(from) in \(String(format: "%.2f s", seconds)): \(counts)."
                + " New server generation \(generation): laptops re-offer their newer changes at their next sync."
                + (safety.map { " What it held before is in \($0)." } ?? ""))
    }
}
