import Logging
import PostgresNIO

/// Where a deployment's data lives, as given to `--db`: a SQLite file path or a PostgreSQL URL.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// The embedded SQLite database in this file.
    case sqlite(path: String)
    /// A PostgreSQL database several server nodes can share.
    case postgres(url: String)

    /// Reads `--db`: `postgres://` and `postgresql://` URLs are PostgreSQL, any other URL is an error, the rest are
    /// file paths.
    public init(_ text: String) throws {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard PostgresStore.Endpoint(url: text) != nil else { throw StoreError.badDatabaseURL(text) }
            self = .postgres(url: text)
        } else if text.contains("://") || text.isEmpty {
            throw StoreError.badDatabaseURL(text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Opens the store, running migrations. `durable` asks SQLite for `synchronous=FULL`; PostgreSQL's durability is
    /// the server's own setting.
    public func open(durable: Bool = false, logger: Logger = Logger(label: "fieldsync.store")) async throws
        -> any SyncStore
    {
        switch self {
        case .sqlite(let path): try await SQLiteStore(path: path, durable: durable)
        case .postgres(let url): try await PostgresStore(url: url, logger: logger)
        }
    }

    /// The location with any password masked, for logs and messages.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"),
                let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
            else { return url }
            return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
        }
    }

    /// An opening error in words an operator can act on. PostgresNIO keeps details out of `description` (they could
    /// hold data); they are the server's message or the socket error, never the URL's password.
    public static func explain(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return "\(underlying) (is PostgreSQL running there?)" }
        return "\(error.code)"
    }
}
