import FieldSyncModel
import Foundation

/// Everything an operator can tune; `fieldsync-server serve --help` lists the flags that set it.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host = "127.0.0.1"
    /// The port to listen on (0: any free port).
    public var port = 8420
    /// PEM certificate chain and private key for HTTPS; plain HTTP when `nil`.
    public var tls: (certificate: String, key: String)?
    /// The largest request body accepted (default 8 MiB); larger ones get 413.
    public var maxBodyBytes = ServerConfiguration.defaultMaxBodyBytes
    /// The default body limit, 8 MiB.
    public static let defaultMaxBodyBytes = 8 << 20
    /// The most mutations one push may carry.
    public var maxMutationsPerPush = 1_000
    /// The largest page a pull returns, in records.
    public var maxPullLimit = 5_000
    /// The page size when a pull names none.
    public var defaultPullLimit = 1_000
    /// How long a token lives (default 30 days).
    public var tokenLifetimeMs: Int64 = 30 * 24 * 3600 * 1000
    /// PBKDF2 iterations for new password hashes.
    public var passwordIterations = PasswordHasher.defaultIterations
    /// The largest accepted lead of a write's timestamp over the server clock (default 5 minutes).
    public var maxForwardSkewMs = HybridLogicalClock.defaultMaxForwardSkewMs
    /// Failed logins per user name or address before 429, within `loginWindowMs`.
    public var maxLoginFailures = 10
    /// The window for counting failed logins.
    public var loginWindowMs: Int64 = 5 * 60 * 1000
    /// The server's physical clock in milliseconds since 1970 (injected so tests control time).
    public var clock: @Sendable () -> Int64 = ServerConfiguration.systemMilliseconds

    /// The default configuration.
    public init() {}

    /// Wall-clock milliseconds since 1970.
    public static func systemMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
