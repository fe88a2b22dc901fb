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
    /// Timeouts for idle connections, slow headers and slow bodies, and the cap on open connections.
    public var connections = ConnectionLimits()
    /// How long the server must stay without a connection before it gives back memory kept only for speed
    /// (`QuietMemoryRelease`).
    public var quietMemoryRelease = Duration.seconds(20)
    /// A secret a Prometheus scraper presents as `Authorization: Bearer` at `/metrics` (admins' tokens work too);
    /// without it only admins may scrape.
    public var metricsToken: String?
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
    /// Failed password checks per user name before 429, within `loginWindowMs` (concurrent attempts count at once).
    public var maxLoginFailures = 10
    /// Distinct user names that may fail to log in from one address within `loginWindowMs` before 429 (an office
    /// shares one address, so this counts names rather than failures).
    public var maxLoginNamesPerAddress = 20
    /// The window for counting failed logins.
    public var loginWindowMs: Int64 = 5 * 60 * 1000
    /// The oldest schema version a laptop may speak (`Schema.oldestServedVersion` by default); older ones are
    /// refused with `upgrade_required` and keep their changes until they upgrade.
    public var oldestSchemaVersion = Schema.oldestServedVersion
    /// Whether `/console` (the manager's web pages) is served.
    public var console = true
    /// How long a console session lasts (default 12 hours).
    public var consoleSessionLifetimeMs: Int64 = 12 * 3600 * 1000
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
