import FieldSyncModel
import Foundation

/// `fieldsync-server backup` and `restore`: a backup is always one SQLite file, whatever the backend, so a backup of
/// PostgreSQL restores into SQLite and back.
public enum Backup {
    /// Runs `write` on a file beside `path` and renames it to `path` only once complete: a backup killed half way
    /// leaves no half file under the name an operator would restore from.
    static func write(to path: String, _ write: (String) async throws -> Void) async throws {
        let partial = path + ".partial"
        let files = FileManager.default
        for stale in [partial, partial + "-wal", partial + "-shm"] { try? files.removeItem(atPath: stale) }
        try await write(partial)
        guard rename(partial, path) == 0 else {
            throw StoreError.backupFailed("cannot rename \(partial) to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads the deployment in the backup at `file` without changing it (a copy is opened, and upgraded if old).
    public static func read(_ file: String) async throws -> StoreDump {
        guard FileManager.default.fileExists(atPath: file) else {
            throw StoreError.backupFailed("there is no backup at \(file)")
        }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-restore-\(UUID().uuidString).sqlite"
        ).path
        defer {
            for name in [copy, copy + "-wal", copy + "-shm"] { try? FileManager.default.removeItem(atPath: name) }
        }
        try FileManager.default.copyItem(atPath: file, toPath: copy)
        let dump: StoreDump
        do {
            let store = try await SQLiteStore(path: copy)
            dump = try await store.dump()
            await store.close()
        } catch {
            throw StoreError.backupFailed("\(file) is not a FieldSync backup (\(StoreLocation.explain(error)))")
        }
        guard !(dump.tables["users"] ?? []).isEmpty else {
            throw StoreError.backupFailed("\(file) holds no users: it is not a backup of a FieldSync server")
        }
        return dump
    }

    /// Replaces everything in `store` with the deployment in `dump`, in one transaction, under a new generation:
    /// laptops that see it re-offer what they had acknowledged since the backup, and their pulls start again.
    public static func restore(_ dump: StoreDump, into store: some SyncStore) async throws {
        var dump = dump
        var counters = (dump.tables["counters"] ?? []).filter { $0.first != .text(ServerGeneration.counter) }
        counters.append([.text(ServerGeneration.counter), .integer(ServerGeneration.random())])
        // A backup made before receipts has no key: the restored server makes one (no laptop holds a receipt of it).
        let keyNames = AcknowledgementReceipt.keyCounters.map { StoreDump.Cell.text($0) }
        if !keyNames.allSatisfy({ name in counters.contains { $0.first == name } }) {
            counters.removeAll { keyNames.contains($0.first ?? .null) }
            counters += AcknowledgementReceipt.newKeyRows().map { [.text($0.name), .integer($0.value)] }
        }
        dump.tables["counters"] = counters.sorted { $0[0] < $1[0] }
        try await store.load(dump, replacing: true)
    }
}

extension SyncStore {
    /// A consistent dump written into a new SQLite file (PostgreSQL: one repeatable-read snapshot).
    public func backup(to path: String) async throws {
        let dump = try await dump()
        try await Backup.write(to: path) { partial in
            let file = try await SQLiteStore(path: partial, durable: true)
            try await file.load(dump, replacing: false)
            await file.close()
        }
    }
}
