import AsyncHTTPClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import Hummingbird
import Logging
import NIOCore

/// A real server on a loopback port over a fresh SQLite file, and a URLSession client, for the HTTP benchmarks.
struct BenchServer {
    let store: SQLiteStore
    let base: URL
    let directory: URL

    static func start() async throws -> BenchServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-bench-\(UUID().uuidString)")
        let store = try await SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path)
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.passwordIterations = 1_000
        var logger = Logger(label: "bench")
        // `BENCHLOG=1` prints the server's request log (each pull's records, removals and milliseconds).
        logger.logLevel = ProcessInfo.processInfo.environment["BENCHLOG"] == nil ? .error : .info
        let server = try await RunningServer.start(configuration: configuration, store: store, logger: logger)
        return BenchServer(store: store, base: URL(string: server.url)!, directory: directory)
    }

    /// Adds a user and logs in from `replica`; returns the token.
    func login(_ user: String, territories: [String], role: Role = .rep, replica: String) async throws -> String {
        if try await store.user(named: user) == nil {
            _ = try await store.addUser(
                name: user, role: role, team: "bench", territories: territories,
                passwordHash: PasswordHasher(iterations: 1_000).hash("bench-password"))
        }
        let (data, _) = try await send(
            "v1/login",
            body: try JSONEncoder().encode(
                LoginRequest(user: user, password: "bench-password", replica: ReplicaID(trusted: replica))))
        return try JSONDecoder().decode(LoginResponse.self, from: data).token
    }

    /// One request to this server: POST with a body, GET without.
    func send(_ path: String, token: String? = nil, body: Data? = nil) async throws -> (Data, Int) {
        try await httpRequest(base.absoluteString + "/" + path, token: token, body: body)
    }

    /// Pushes `mutations`; fails unless every one is applied. Returns the request's size in bytes.
    func push(_ mutations: [Mutation], token: String) async throws -> Int {
        let body = try JSONEncoder().encode(PushRequest(mutations: mutations))
        let (data, status) = try await send("v1/push", token: token, body: body)
        guard status == 200 else {
            throw BenchFailure("push answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        let response = try JSONDecoder().decode(PushResponse.self, from: data)
        guard response.results.allSatisfy({ $0.status == .applied }) else {
            throw BenchFailure("push not applied: \(response.results.first { $0.status != .applied }!)")
        }
        return body.count
    }

    /// Pushes customer cards `PREFIX0`…`PREFIX(count-1)` (`c` by default) in `territory` (east by default) from
    /// `laptop`, 1,000 per push.
    func pushCustomers(
        _ count: Int, from laptop: inout BenchLaptop, token: String, territory: String = "east", prefix: String = "c"
    ) async throws {
        var index = 0
        while index < count {
            let batch = min(1_000, count - index)
            _ = try await push(
                (index..<index + batch).map { laptop.customer("\(prefix)\($0)", territory: territory, index: $0) },
                token: token)
            index += batch
        }
    }

    /// The size of the database files on disk.
    func databaseBytes() -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.reduce(0) { total, file in
            let attributes = try? FileManager.default.attributesOfItem(
                atPath: directory.appendingPathComponent(file).path)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Builds numbered, timestamped mutations for one simulated laptop.
struct BenchLaptop {
    let replica: ReplicaID
    var seq: UInt64 = 0
    var clock: HybridLogicalClock
    /// The user who pushes this laptop's mutations: the owner of the customers it creates.
    let user: String

    init(_ name: String, user: String = "ana") {
        self.user = user
        replica = ReplicaID(trusted: name)
        clock = HybridLogicalClock(replica: replica)
    }

    mutating func mutation(_ writes: [Write]) -> Mutation {
        seq += 1
        return Mutation(
            replica: replica, seq: seq, hlc: clock.now(physicalMs: ServerConfiguration.systemMilliseconds()),
            writes: writes)
    }

    /// A customer card with eight fields, the peers' W2 record shape.
    mutating func customer(_ id: String, territory: String, index: Int) -> Mutation {
        let record = RecordID(trusted: id)
        let fields: [(String, String)] = [
            ("name", "客户 \(index) 有限公司"), ("territory", territory), ("phone", "0571-\(100_000 + index)"),
            ("email", "buyer\(index)@example.cn"), ("address", "文一西路 \(index) 号"), ("region", "杭州"),
            ("industry", "machinery"), ("owner", user),
        ]
        return mutation(
            [.create(record: record, entity: .customer)]
                + fields.map { .set(record: record, field: $0.0, value: .text($0.1), bases: []) })
    }
}

/// One JSON request with AsyncHTTPClient (NIO, so the load generator costs little CPU): POST with a body, GET without,
/// in the schema version the current `fieldsync` speaks (without the header a server serves the first release's);
/// returns the body and the status.
func httpRequest(_ url: String, token: String? = nil, body: Data?, client: HTTPClient = .shared) async throws -> (
    Data, Int
) {
    var request = HTTPClientRequest(url: url)
    request.method = body == nil ? .GET : .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: SchemaHeader.name, value: String(Schema.fieldSync.version))
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await client.execute(request, timeout: .seconds(60))
    let buffer = try await response.body.collect(upTo: 512 << 20)
    return (Data(buffer.readableBytesView), Int(response.status.code))
}
