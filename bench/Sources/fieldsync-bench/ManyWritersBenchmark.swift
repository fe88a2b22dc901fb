import AsyncHTTPClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import TestSupport

/// B4(b): many writers over HTTP in the W4 shape: `replicas` laptops each push `writesPerReplica` edits (one push,
/// one write per mutation) of `records` shared customers, through `connections` connections at once, to a
/// `fieldsync-server` process on a fresh SQLite file. The same pushes through one connection are the baseline.
struct ManyWritersBenchmark {
    var replicas = 200
    var writesPerReplica = 50
    var records = 1_000
    var rounds = 5

    struct Outcome {
        /// Writes pushed, applied and committed.
        var writes = 0
        /// Record changes they make: a record a push edits twice changes once.
        var changes = 0
        var seconds = 0.0
        /// The server's CPU time per write, in microseconds.
        var serverCPUMicrosecondsPerWrite = 0.0
        var writesPerSecond: Double { Double(writes) / seconds }
    }

    /// Pushes every round's edits through `connections` connections at once; fails unless every mutation is applied
    /// and the server holds exactly one change per write.
    func run(connections: Int) async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-writers-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = folder.appendingPathComponent("server.sqlite").path
        let store = try await StoreLocation(location).open()
        _ = try await store.addUser(
            name: "w4", role: .rep, team: "w4", territories: ["w4"],
            passwordHash: PasswordHasher(iterations: 1_000).hash("bench-password"))
        let server = try await BinaryRunner.Server(db: location)
        defer { server.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections + 2)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let outcome = try await measure(connections: connections, base: server.url, http: http, server: server)
            try await http.shutdown()
            let changes = try await store.stats().changeSeq
            await store.close()
            guard changes == Int64(records + outcome.changes) else {
                throw BenchFailure(
                    "\(outcome.writes) writes applied should make \(outcome.changes) changes; the server holds"
                        + " \(changes - Int64(records))")
            }
            return outcome
        } catch {
            try? await http.shutdown()
            await store.close()
            throw error
        }
    }

    private func measure(connections: Int, base: String, http: HTTPClient, server: BinaryRunner.Server)
        async throws -> Outcome
    {
        func login(_ replica: String) async throws -> String {
            let body = try JSONEncoder().encode(
                LoginRequest(user: "w4", password: "bench-password", replica: ReplicaID(trusted: replica)))
            let (data, _) = try await httpRequest(base + "/v1/login", body: body, client: http)
            guard let token = try? JSONDecoder().decode(LoginResponse.self, from: data).token else {
                throw BenchFailure("w4 could not log in: \(String(decoding: data, as: UTF8.self))")
            }
            return token
        }
        @Sendable func push(_ body: Data, token: String) async throws {
            let (data, status) = try await httpRequest(base + "/v1/push", token: token, body: body, client: http)
            guard status == 200, let results = try? JSONDecoder().decode(PushResponse.self, from: data).results,
                results.allSatisfy({ $0.status == .applied })
            else { throw BenchFailure("a push was not applied: \(status) \(String(decoding: data, as: UTF8.self))") }
        }
        let wall = Int64(Date().timeIntervalSince1970 * 1000)
        // The shared customers, created before the clock starts.
        let seeder = ReplicaID(trusted: "lap-seed")
        var seederClock = HybridLogicalClock(replica: seeder)
        let ids = (0..<records).map { RecordID(trusted: "w4-\($0)") }
        let seedToken = try await login(seeder.rawValue)
        for (page, chunk) in stride(from: 0, to: records, by: 500).map({ ids[$0..<min($0 + 500, records)] })
            .enumerated()
        {
            let mutations = chunk.enumerated().map { index, id in
                Mutation(
                    replica: seeder, seq: UInt64(page * 500 + index + 1), hlc: seederClock.now(physicalMs: wall),
                    writes: [
                        .create(record: id, entity: .customer),
                        .set(record: id, field: "name", value: .text("客户 \(id.rawValue)"), bases: []),
                        .set(record: id, field: "territory", value: .text("w4"), bases: []),
                    ])
            }
            try await push(try JSONEncoder().encode(PushRequest(mutations: mutations)), token: seedToken)
        }
        // Every round's pushes, made before the clock starts: replica r's edits of random shared customers.
        var random = SeededGenerator(seed: 4)
        var tokens: [String] = []
        var clocks: [HybridLogicalClock] = []
        for replica in 0..<replicas {
            tokens.append(try await login("lap-w4-\(replica)"))
            clocks.append(HybridLogicalClock(replica: ReplicaID(trusted: "lap-w4-\(replica)")))
        }
        var bodies: [(token: String, body: Data)] = []
        var changes = 0
        for round in 0..<rounds {
            for replica in 0..<replicas {
                let mutations = (0..<writesPerReplica).map { index in
                    Mutation(
                        replica: ReplicaID(trusted: "lap-w4-\(replica)"),
                        seq: UInt64(round * writesPerReplica + index + 1), hlc: clocks[replica].now(physicalMs: wall),
                        writes: [
                            .set(
                                record: ids[Int.random(in: 0..<records, using: &random)], field: "name",
                                value: .text("r\(replica)-\(round)-\(index)"), bases: [])
                        ])
                }
                bodies.append((tokens[replica], try JSONEncoder().encode(PushRequest(mutations: mutations))))
                changes += Set(mutations.flatMap(\.writes).map(\.record)).count
            }
        }
        // A replica's pushes go out in order: round by round, each round's pushes dealt out to the connections.
        let work = bodies
        let pid = server.process.processIdentifier
        let cpuBefore = ProcessCPU(pid: pid)?.seconds ?? 0
        let started = ContinuousClock.now
        for round in 0..<rounds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in 0..<connections {
                    group.addTask {
                        for index in stride(
                            from: round * replicas + connection, to: (round + 1) * replicas, by: connections)
                        {
                            try await push(work[index].body, token: work[index].token)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let writes = rounds * replicas * writesPerReplica
        let cpu = (ProcessCPU(pid: pid)?.seconds ?? 0) - cpuBefore
        return Outcome(
            writes: writes, changes: changes, seconds: seconds,
            serverCPUMicrosecondsPerWrite: cpu * 1e6 / Double(writes))
    }
}
