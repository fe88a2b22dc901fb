import ArgumentParser
import FieldSyncCommandLine
import FieldSyncModel
import FieldSyncServer
import Foundation
import Hummingbird
import Logging

/// `fieldsync-server serve`: runs the server until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the sync server.",
        discussion:
            "Example: fieldsync-server serve --db /var/lib/fieldsync/fieldsync.sqlite --host 0.0.0.0 --log-format json")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8420
    @Option(help: "PEM certificate chain for HTTPS (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key for HTTPS (with --tls-cert).") var tlsKey: String?
    @Option(help: "Largest accepted request body in bytes.") var maxBodyBytes = 8 << 20
    @Option(help: "How far ahead of the server's clock a write may be stamped, in seconds.") var maxSkewSeconds = 300
    @Option(help: "PBKDF2 iterations for new password hashes.") var passwordIterations = 600_000
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "Log format: text (for people) or json (one object per line, for log collectors).")
    var logFormat = "text"
    @Flag(help: "SQLite: use synchronous=FULL to survive power loss, at the cost of an fsync per push.")
    var durable = false
    @Option(help: "Close a connection that sends no request for this many seconds.") var idleTimeout = 60.0
    @Option(help: "Close a connection whose request head takes longer than this, in seconds.") var headerTimeout = 10.0
    @Option(help: "Close a connection whose request body takes longer than this, in seconds.") var bodyTimeout = 120.0
    @Option(help: "Most connections open at once (default: the descriptor limit less 64).") var maxConnections: Int?
    @Option(
        help: ArgumentHelp(
            "A secret Prometheus presents at /metrics as 'Authorization: Bearer SECRET'.",
            discussion:
                "Without it only an admin's session token may read /metrics. FIELDSYNC_METRICS_TOKEN sets it too."
        ))
    var metricsToken: String?
    @Flag(help: "Do not serve the manager's web console at /console.") var noConsole = false
    @Option(help: "How long a console login lasts, in hours.") var consoleSessionHours = 12
    @Option(
        help: ArgumentHelp(
            "The oldest schema version a laptop may speak (1 … \(Schema.fieldSync.version)).",
            discussion:
                "Laptops on releases older than this are told to upgrade and keep their unsent changes until they do."
                + " Raise it once every laptop runs the new release."))
    var oldestSchemaVersion = Schema.oldestServedVersion

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together.")
        }
        guard (1...65_535).contains(port) || port == 0 else { throw ValidationError("--port must be 0…65535.") }
        guard [idleTimeout, headerTimeout, bodyTimeout].allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--idle-timeout, --header-timeout and --body-timeout must be above 0 seconds.")
        }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1.") }
        guard (1...720).contains(consoleSessionHours) else {
            throw ValidationError("--console-session-hours must be 1…720.")
        }
        guard (1...Schema.fieldSync.version).contains(oldestSchemaVersion) else {
            throw ValidationError(
                "--oldest-schema-version must be 1…\(Schema.fieldSync.version), the versions this server speaks.")
        }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format is text or json.") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error.")
        }
    }

    func run() async throws {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxBodyBytes = maxBodyBytes
        configuration.console = !noConsole
        configuration.consoleSessionLifetimeMs = Int64(consoleSessionHours) * 3_600_000
        configuration.oldestSchemaVersion = oldestSchemaVersion
        configuration.maxForwardSkewMs = Int64(maxSkewSeconds) * 1000
        configuration.passwordIterations = passwordIterations
        if let tlsCert, let tlsKey { configuration.tls = (tlsCert, tlsKey) }
        configuration.connections.idleTimeoutMs = Int64(idleTimeout * 1000)
        configuration.connections.headerTimeoutMs = Int64(headerTimeout * 1000)
        configuration.connections.bodyTimeoutMs = Int64(bodyTimeout * 1000)
        configuration.connections.maxConnections = maxConnections
        configuration.metricsToken = metricsToken ?? ProcessInfo.processInfo.environment["FIELDSYNC_METRICS_TOKEN"]
        var logger =
            logFormat == "json"
            ? Logger(label: "fieldsync-server", factory: { JSONLogHandler(label: $0) })
            : Logger(label: "fieldsync-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let location = try database.location()
        do {
            try await ListenCheck.ensureFree(host: host, port: port)
        } catch let failure as ListenCheck.Failure {
            throw CommandFailure(failure.description)
        }
        var lock: DatabaseLock?
        if case .sqlite(let path) = location {
            do {
                lock = try DatabaseLock.acquire(forDatabaseAt: path)
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
        }
        let store = try await database.open(durable: durable)
        let scheme = tlsCert == nil ? "http" : "https"
        let app = try await buildApplication(configuration: configuration, store: store, logger: logger) { port in
            let console = !noConsole ? "; manager's console at \(scheme)://\(host):\(port)/console" : ""
            let line = "fieldsync-server listening on \(scheme)://\(host):\(port) (database \(location))\(console)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        let started = ContinuousClock.now
        try await app.runService()
        await store.close()
        logger.info(
            "stopped: no new connections were taken and requests in flight were answered",
            metadata: ["uptime_s": "\((ContinuousClock.now - started).components.seconds)"])
        withExtendedLifetime(lock) {}
    }
}
