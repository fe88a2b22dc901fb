import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The exclusive lock a serving process holds on a SQLite database: `FILE.lock` beside it, locked with `flock` and
/// holding the server's pid. The kernel drops the lock when the process ends, however it ends, so a killed server
/// never leaves a stale lock. Only one process serves a SQLite file; `copy` refuses a source a server holds.
public final class DatabaseLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// The lock file of the database at `path`.
    static func lockPath(of path: String) -> String { path + ".lock" }

    /// Takes the lock of the database at `path` for this process; throws `databaseInUse` with the holder's pid when
    /// another process has it.
    public static func acquire(forDatabaseAt path: String) throws -> DatabaseLock {
        // The database's folder is made here, as the store would make it (`fieldsync-data/` on a first `serve`).
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = open(lockPath(of: path), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError.lockFailed(path: lockPath(of: path), reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let pid = readPID(descriptor)
            close(descriptor)
            throw StoreError.databaseInUse(path: path, pid: pid)
        }
        let text = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return DatabaseLock(descriptor: descriptor)
    }

    /// Throws `databaseInUse` when a process serves the database at `path` (the lock file is only read: asking
    /// never creates anything).
    public static func checkFree(databaseAt path: String) throws {
        let descriptor = open(lockPath(of: path), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) != 0 else {
            flock(descriptor, LOCK_UN)
            return
        }
        throw StoreError.databaseInUse(path: path, pid: readPID(descriptor))
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
