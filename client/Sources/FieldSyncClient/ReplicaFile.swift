import FieldSyncModel
import Foundation
import GRDB

/// The laptop's replica file on disk, `replica.sqlite` in the data folder: checked before it is opened, created
/// whole, moved aside when damaged.
///
/// A damaged file is never a silent fresh start: one that is emptied, truncated, not SQLite, missing its schema or
/// failing SQLite's quick check is refused with `damaged_store`, and nothing writes to it.
public struct ReplicaFile: Sendable {
    /// The data folder.
    public let directory: String
    /// The replica file.
    public var path: String { (directory as NSString).appendingPathComponent("replica.sqlite") }

    /// The replica file of `directory`.
    public init(directory: String) {
        self.directory = (directory as NSString).standardizingPath
    }

    /// Checks an existing file, or creates a new one whole (built beside it, then renamed, so a kill while creating
    /// leaves no empty file to be mistaken for a damaged one), its replica id from `ids`.
    func prepare(ids: IDSource = .system) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: path) {
            if let damage = try damage() { throw damaged(damage) }
            return
        }
        let new = path + ".new-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: new) }
        let queue = try DatabaseQueue(path: new)
        _ = try LocalStore(queue, ids: ids)
        try queue.close()
        // `link` never replaces: when two commands create the folder at once, the first file in place is the one.
        guard link(new, path) == 0 || errno == EEXIST else {
            throw ClientError(.localStore, "Cannot create \(path): \(String(cString: strerror(errno))).")
        }
    }

    /// What is wrong with the file, or `nil` when it is a sound replica.
    ///
    /// Only SQLite reads the file: closing a descriptor of our own on it would drop the locks another connection of
    /// this process holds (POSIX locks are per process), and a concurrent writer could then corrupt it.
    public func damage() throws -> String? {
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        guard size > 0 else { return "is empty (0 bytes)" }
        do {
            return try DatabaseQueue(path: path, configuration: LocalStore.makeConfiguration()).read { db in
                guard try db.tableExists("meta"),
                    try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'replica'") != nil
                else { return "is missing its schema (no replica id)" }
                let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
                return check == ["ok"] ? nil : "fails SQLite's integrity check (\(check.first ?? "?"))"
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            return "is not a SQLite database"
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT {
            return "is truncated or corrupt (\(error.message ?? "malformed"))"
        } catch {
            return "cannot be read by SQLite (\(error))"
        }
    }

    func damaged(_ damage: String) -> ClientError {
        ClientError(
            .damagedStore,
            "The replica file \(path) \(damage): it was left as it is. Run `fieldsync move-aside` to keep it aside"
                + " and start fresh (then log in and sync), or restore the folder from a backup.")
    }

    /// Renames the replica file (and its journal files) to `replica.sqlite.damaged-TIME`; returns the new name.
    public func moveAside(now: Date = Date()) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let aside = path + ".damaged-" + formatter.string(from: now)
        for suffix in ["-wal", "-shm", ""] where FileManager.default.fileExists(atPath: path + suffix) {
            guard rename(path + suffix, aside + suffix) == 0 else {
                throw ClientError(
                    .localStore, "Cannot rename \(path + suffix): \(String(cString: strerror(errno))).")
            }
        }
        return aside
    }

    /// Where this data folder lives: the machine's id and the folder's real path. A copy elsewhere differs.
    public var fingerprint: String {
        let machine =
            ["/etc/machine-id", "/var/lib/dbus/machine-id"].lazy.compactMap {
                try? String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }.first { !$0.isEmpty } ?? ProcessInfo.processInfo.hostName
        return machine + ":" + (directory as NSString).resolvingSymlinksInPath
    }
}
