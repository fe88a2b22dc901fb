import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import Hummingbird
import Logging

/// A real server on a loopback port over a fresh SQLite file (or a fresh PostgreSQL database), for client tests
/// (real HTTP, real SQLite on the laptops).
///
/// Accounts: ana and carl (reps, east), bo (rep, west), mia (manager of team north), root (admin).
struct LiveServer {
    let store: any SyncStore
    let url: String
    let directory: URL
    let server: RunningServer
    /// The PostgreSQL database the server runs on, if not on `databasePath`.
    var postgres: String?

    static let password = "correct horse battery"

    /// The server's SQLite file.
    var databasePath: String { directory.appendingPathComponent("server.sqlite").path }

    static func start(postgres: String? = nil) async throws -> LiveServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-client-\(UUID().uuidString)")
        let store = try await open(postgres: postgres, directory: directory)
        let hasher = PasswordHasher(iterations: 1_000)
        for (name, role, team, territories) in [
            ("ana", Role.rep, "north", ["east"]), ("carl", .rep, "north", ["east"]), ("bo", .rep, "south", ["west"]),
            ("mia", .manager, "north", []), ("root", .admin, "hq", []),
        ] {
            _ = try await store.addUser(
                name: name, role: role, team: team, territories: territories, passwordHash: hasher.hash(password))
        }
        let server = try await RunningServer.start(configuration: configuration(port: 0), store: store, logger: logger)
        return LiveServer(store: store, url: server.url, directory: directory, server: server, postgres: postgres)
    }

    /// Opens the PostgreSQL database `postgres`, or else the SQLite file in `directory`.
    static func open(postgres: String?, directory: URL) async throws -> any SyncStore {
        if let postgres { return try await PostgresStore(url: postgres, logger: logger) }
        return try await SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path)
    }

    static func configuration(port: Int, oldestSchemaVersion: Int = Schema.oldestServedVersion) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = port
        configuration.oldestSchemaVersion = oldestSchemaVersion
        configuration.passwordIterations = 1_000
        return configuration
    }

    static var logger: Logger {
        var logger = Logger(label: "client-test")
        logger.logLevel = .critical
        return logger
    }

    /// Stops the server, runs `change` on its database (as an operator's `fieldsync-server restore` does with every
    /// server stopped), and starts it again on the same port over a freshly opened store.
    func restarted(
        oldestSchemaVersion: Int = Schema.oldestServedVersion, _ change: (any SyncStore) async throws -> Void = { _ in }
    ) async throws -> LiveServer {
        await server.stopAndWait()
        try await change(store)
        let reopened = try await Self.open(postgres: postgres, directory: directory)
        let running = try await RunningServer.restart(
            configuration: Self.configuration(port: server.port, oldestSchemaVersion: oldestSchemaVersion),
            store: reopened, logger: Self.logger)
        return LiveServer(store: reopened, url: running.url, directory: directory, server: running, postgres: postgres)
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A fresh laptop logged in as `user`, speaking schema version `schemaVersion` (default: the newest).
    func laptop(_ user: String, schemaVersion: Int = Schema.fieldSync.version) async throws -> TestLaptop {
        let directory = self.directory.appendingPathComponent("laptop-\(user)-\(UUID().uuidString.prefix(6))").path
        let store = try LocalStore(directory: directory, schema: Schema.fieldSync(version: schemaVersion)!)
        var transport = try HTTPTransport(server: url)
        transport.schemaVersion = schemaVersion
        let response = try await transport.login(
            store.loginRequest(user: user, password: Self.password))
        try store.startSession(response, server: url)
        return TestLaptop(store: store, transport: transport, token: response.token, directory: directory)
    }
}

/// A laptop in a test: its store, transport and token.
struct TestLaptop {
    let store: LocalStore
    let transport: HTTPTransport
    let token: String
    let directory: String

    var engine: SyncEngine { SyncEngine(store: store, transport: transport, token: token) }

    /// The same laptop after installing the release that speaks `schemaVersion`: its files opened by the new client.
    func upgraded(to schemaVersion: Int = Schema.fieldSync.version) throws -> TestLaptop {
        var transport = self.transport
        transport.schemaVersion = schemaVersion
        return TestLaptop(
            store: try LocalStore(directory: directory, schema: Schema.fieldSync(version: schemaVersion)!),
            transport: transport, token: token, directory: directory)
    }

    @discardableResult
    func sync() async throws -> SyncSummary { try await engine.sync() }

    /// Adds a customer card and returns its id.
    func addCustomer(_ name: String, territory: String = "east") throws -> RecordID {
        var id: RecordID?
        try store.edit(summary: "add \(name)") { builder in
            id = try builder.create(.customer)
            try builder.set(id!, "name", .text(name))
            try builder.set(id!, "territory", .text(territory))
        }
        return id!
    }

    func set(_ id: RecordID, _ field: String, _ value: Value) throws {
        try store.edit(summary: "set \(field)") { try $0.set(id, field, value) }
    }

    func value(_ id: RecordID, _ field: String) throws -> Value? { try store.record(id)?.state.value(field) }

    /// The canonical dump of what this laptop shows: every record's fields, heads and tags.
    func dump() throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try store.records().map { record in
                let fields = record.state.fields.keys.sorted().map { name in
                    "\(name)=\(record.state.value(name)) heads=\(record.state.fields[name]!.heads.map(\.id.description))"
                }
                let tags = record.state.tags.keys.sorted().map { "\($0)=\(record.state.elements($0))" }
                return (record.id.rawValue, (fields + tags + record.state.notes.map(\.text)).joined(separator: "; "))
            })
    }
}
