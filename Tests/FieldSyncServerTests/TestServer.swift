import FieldSyncModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import TestSupport
import Testing

@testable import FieldSyncServer

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let value: Mutex<Int64>
    init(_ start: Int64 = 1_790_000_000_000) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func advance(ms: Int64) { value.withLock { $0 += ms } }
}

/// The storage backends every store-facing test runs against.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// A fresh server over a new SQLite file or PostgreSQL database, with the accounts every test uses.
///
/// Team north: ana and carl (reps in `east`), mia (manager). Team south: bo (rep in `west`). root is an admin.
struct TestServer {
    let store: any SyncStore
    let configuration: ServerConfiguration
    let clock: ManualClock
    let directory: URL

    static let password = "correct horse battery"

    static func make(_ backend: Backend = .sqlite, configure: (inout ServerConfiguration) -> Void = { _ in })
        async throws -> TestServer
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-test-\(UUID().uuidString)")
        let store: any SyncStore =
            switch backend {
            case .sqlite: try await SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path)
            case .postgres: try await PostgresStore(url: try PostgresFixture.freshDatabase())
            }
        let hasher = PasswordHasher(iterations: 1_000)
        for (name, role, team, territories) in [
            ("ana", Role.rep, "north", ["east"]), ("carl", .rep, "north", ["east"]), ("mia", .manager, "north", []),
            ("bo", .rep, "south", ["west"]), ("root", .admin, "hq", []),
        ] {
            _ = try await store.addUser(
                name: name, role: role, team: team, territories: territories, passwordHash: hasher.hash(password))
        }
        let clock = ManualClock()
        var configuration = ServerConfiguration()
        configuration.passwordIterations = 1_000
        configuration.clock = { clock.now }
        configure(&configuration)
        return TestServer(store: store, configuration: configuration, clock: clock, directory: directory)
    }

    /// Runs `body` against the application in process (`app.test(.router)`), then closes the store and, unless
    /// `keepFiles`, removes its files.
    func run(keepFiles: Bool = false, _ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        // Warnings only: the per-request info lines of hundreds of in-process requests would bury the test log.
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = try await buildApplication(configuration: configuration, store: store, logger: logger)
        try await app.test(.router) { client in try await body(Client(client: client, clock: clock)) }
        await store.close()
        if !keepFiles { try? FileManager.default.removeItem(at: directory) }
    }

    /// The number of the latest change: unchanged means nothing was written.
    func changeSeq() async throws -> Int64 { try await store.stats().changeSeq }
}

/// Test-side HTTP helpers over Hummingbird's test client.
struct Client: Sendable {
    let client: any TestClientProtocol
    let clock: ManualClock

    struct Reply {
        let status: HTTPResponse.Status
        let body: Data
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }
        var text: String { String(decoding: body, as: UTF8.self) }
        var error: ErrorBody? { try? decode(ErrorBody.self) }
    }

    /// Sends a request as a laptop does, with its wall clock (`clockMs`, default the test clock) in the header.
    func send(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, body: Data? = nil, clockMs: Int64? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> Reply {
        var headers = HTTPFields()
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers[.contentType] = "application/json"
        headers[HTTPField.Name(ClockHeader.name)!] = String(clockMs ?? clock.now)
        return try await client.execute(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }
        ) { response in Reply(status: response.status, body: Data(response.body.readableBytesView)) }
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: some Encodable, clockMs: Int64? = nil
    ) async throws -> Reply {
        try await send(method, path, token: token, body: try JSONEncoder().encode(json), clockMs: clockMs)
    }

    /// Logs `user` in on `replica`; returns the token.
    func login(_ user: String, replica: String? = nil) async throws -> String {
        let reply = try await send(
            .post, "/v1/login",
            json: LoginRequest(
                user: user, password: TestServer.password, replica: ReplicaID(trusted: replica ?? "lap-\(user)")))
        try #require(reply.status == .ok, "login \(user): \(reply.text)")
        return try reply.decode(LoginResponse.self).token
    }

    /// Logs `user` in on `lap-USER` and gives the token with a laptop that numbers that replica's mutations.
    func laptop(_ user: String) async throws -> (token: String, laptop: Laptop) {
        (try await login(user), Laptop("lap-\(user)", wall: clock))
    }

    func push(_ token: String, _ mutations: [Mutation], receipts: [String: String]? = nil) async throws
        -> [MutationResult]
    {
        let reply = try await send(
            .post, "/v1/push", token: token, json: PushRequest(mutations: mutations, receipts: receipts))
        try #require(reply.status == .ok, "push: \(reply.text)")
        return try reply.decode(PushResponse.self).results
    }

    func pull(_ token: String, cursor: String = "", limit: Int = 1000) async throws -> PullResponse {
        let reply = try await send(.get, "/v1/pull?cursor=\(cursor)&limit=\(limit)", token: token)
        try #require(reply.status == .ok, "pull: \(reply.text)")
        return try reply.decode(PullResponse.self)
    }

    /// Pulls every page from `cursor`; returns the records by id (latest version), the removals and the cursor.
    func pullAll(_ token: String, cursor: String = "", limit: Int = 1000) async throws
        -> (records: [RecordID: RecordSnapshot], removed: Set<RecordID>, cursor: String)
    {
        var records: [RecordID: RecordSnapshot] = [:]
        var removed: Set<RecordID> = []
        var cursor = cursor
        while true {
            let page = try await pull(token, cursor: cursor, limit: limit)
            for id in page.removed {
                records[id] = nil
                removed.insert(id)
            }
            for record in page.records {
                records[record.id] = record
                removed.remove(record.id)
            }
            cursor = page.cursor
            if !page.more { return (records, removed, cursor) }
        }
    }
}

/// A simulated laptop: numbers its mutations and stamps them on its own clock.
struct Laptop {
    let replica: ReplicaID
    var nextSeq: UInt64 = 1
    var clock: HybridLogicalClock
    let wall: ManualClock

    init(_ name: String, wall: ManualClock) {
        replica = ReplicaID(trusted: name)
        clock = HybridLogicalClock(replica: replica)
        self.wall = wall
    }

    mutating func mutation(_ writes: [Write], skewMs: Int64 = 0) -> Mutation {
        defer { nextSeq += 1 }
        return Mutation(replica: replica, seq: nextSeq, hlc: clock.now(physicalMs: wall.now + skewMs), writes: writes)
    }

    /// `mutation` under another seq, the same writes.
    static func renumbered(_ mutation: Mutation, seq: UInt64) -> Mutation {
        Mutation(replica: mutation.replica, seq: seq, hlc: mutation.hlc, writes: mutation.writes)
    }

    /// A mutation creating customer `id` in `territory`.
    mutating func createCustomer(_ id: String, territory: String, name: String = "客户") -> Mutation {
        let record = RecordID(trusted: id)
        return mutation([
            .create(record: record, entity: .customer),
            .set(record: record, field: "name", value: .text(name), bases: []),
            .set(record: record, field: "territory", value: .text(territory), bases: []),
        ])
    }
}

/// Shorthand for a set write.
func set(_ record: String, _ field: String, _ value: Value, bases: [WriteID] = []) -> Write {
    .set(record: RecordID(trusted: record), field: field, value: value, bases: bases)
}
