import ArgumentParser
import FieldSyncServer
import Foundation
import Hummingbird
import Logging

/// `fieldsync-server serve`: runs the server until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the sync server.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8420
    @Option(help: "PEM certificate chain for HTTPS (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key for HTTPS (with --tls-cert).") var tlsKey: String?
    @Option(help: "Largest accepted request body in bytes.") var maxBodyBytes = 8 << 20
    @Option(help: "How far ahead of the server's clock a write may be stamped, in seconds.") var maxSkewSeconds = 300
    @Option(help: "PBKDF2 iterations for new password hashes.") var passwordIterations = 600_000
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Flag(help: "SQLite: use synchronous=FULL to survive power loss, at the cost of an fsync per push.")
    var durable = false

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together.")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error.")
        }
    }

    func run() async throws {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxForwardSkewMs = Int64(maxSkewSeconds) * 1000
        configuration.passwordIterations = passwordIterations
        if let tlsCert, let tlsKey { configuration.tls = (tlsCert, tlsKey) }
        var logger = Logger(label: "fieldsync-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let location = try database.location()
        let store = try await database.open(durable: durable)
        let scheme = tlsCert == nil ? "http" : "https"
        let app = try await buildApplication(configuration: configuration, store: store, logger: logger) { port in
            let line = "fieldsync-server listening on \(scheme)://\(host):\(port) (database \(location))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await app.runService()
        await store.close()
    }
}
