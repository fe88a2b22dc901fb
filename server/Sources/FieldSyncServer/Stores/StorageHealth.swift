import GRDB
import NIOConcurrencyHelpers
import PostgresNIO

/// Whether the database can write: set when a request failed because the disk is full or the database reported an
/// I/O error, cleared when a write works again. `/healthz` reports it; such requests answer 503
/// `storage_unavailable` with what is wrong, and nothing was committed.
public final class StorageHealth: Sendable {
    private let fault = NIOLockedValueBox<String?>(nil)

    /// Creates a healthy state.
    public init() {}

    /// What is wrong, while writes fail.
    public var problem: String? { fault.withLockedValue { $0 } }

    /// Records a storage failure.
    func failed(_ problem: String) { fault.withLockedValue { $0 = problem } }

    /// Records that a write worked.
    func recovered() { fault.withLockedValue { $0 = nil } }

    /// What an error says about the storage, in words for an operator, when it is a full disk or an I/O error (the
    /// database's own files, not the request); `nil` for any other error.
    public static func storageProblem(in error: any Error) -> String? {
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL: return "the disk holding the SQLite database is full: free space on it"
            case .SQLITE_IOERR: return "SQLite reported an I/O error on its files: check the disk and its free space"
            case .SQLITE_READONLY, .SQLITE_CANTOPEN:
                return "the SQLite database cannot be written: check the file's permissions and the disk"
            default: return nil
            }
        }
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            switch state {
            case "53100": return "PostgreSQL's disk is full: free space on its data directory"
            case "58030": return "PostgreSQL reported an I/O error: check its disk"
            case "53200", "53000": return "PostgreSQL is out of memory or resources"
            default: return nil
            }
        }
        return nil
    }
}
