import FieldSyncModel

/// Store failures that are the caller's to fix.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// `user add` with a name in use.
    case userExists(String)
    /// A command named a user that does not exist.
    case noSuchUser(String)
    /// The account was deleted: it cannot be changed or enabled.
    case accountDeleted(String)
    /// A replica id already bound to another user.
    case replicaTaken(ReplicaID)
    /// A `--db` that is neither a file path nor a usable PostgreSQL URL.
    case badDatabaseURL(String)
    /// `copy` into a database that already holds a deployment.
    case targetNotEmpty(String)
    /// `copy` read back something other than what it wrote.
    case copyMismatch(table: String)
    /// `backup` or `restore` could not read or write its file.
    case backupFailed(String)
    /// The lock file beside a SQLite database could not be created.
    case lockFailed(path: String, reason: String)
    /// Another process serves this SQLite file (its pid, when it could be read).
    case databaseInUse(path: String, pid: Int32?)

    public var description: String {
        switch self {
        case .userExists(let name): "A user named '\(name)' already exists: pick another name."
        case .noSuchUser(let name): "No user named '\(name)': see `fieldsync-server user list`."
        case .accountDeleted(let name):
            "The account '\(name)' was deleted; its name stays in the history (see `fieldsync-server user log`):"
                + " add a user under another name."
        case .replicaTaken(let replica):
            "Replica id \(replica) belongs to another user: each laptop's data folder has its own; use a fresh one."
        case .badDatabaseURL(let url):
            "'\(url)' is not a database: give a SQLite file path or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE."
        case .targetNotEmpty(let location):
            "\(location) already holds users or records: copy only into a new, empty database."
        case .copyMismatch(let table):
            "The copy's table \(table) differs from the source after writing: the source changed during the copy"
                + " or the target is damaged; stop the servers, drop the target and copy again."
        case .backupFailed(let reason):
            "Backup or restore failed: \(reason). Nothing was changed; check the file name and the free space."
        case .lockFailed(let path, let reason):
            "Cannot create the lock file \(path) (\(reason)): the server needs to write in its database's folder."
        case .databaseInUse(let path, let pid):
            "\(path) is being served by another fieldsync-server (\(pid.map { "pid \($0)" } ?? "pid unknown")): one"
                + " process serves a SQLite file; stop it first, or use PostgreSQL for several nodes."
        }
    }
}
