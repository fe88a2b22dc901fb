import AsyncHTTPClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import NIOCore
import Synchronization
import TestSupport

/// B7 and the multi-node figures: many reps syncing at once against `fieldsync-server` processes on SQLite or
/// PostgreSQL, each rep a closed loop of push (one record, `writesPerPush` fields) and pull from its cursor.
struct LoadBenchmark {
    let backend: String
    let nodes: Int
    let reps: Int
    let seconds: Double
    let writesPerPush: Int
    let thinkMs: Int
    /// Seconds to wait after the load stops before reading each server's memory again.
    let settleSeconds: Int

    struct Outcome {
        var requests = 0
        var pushes = 0
        var pulledRecords = 0
        var errors = 0
        var pushLatencies: [Double] = []
        var pullLatencies: [Double] = []
        var elapsed = 0.0
        var changeSeq: Int64 = 0
        /// The largest server's resident memory before the load, its peak during it, and `settleSeconds` after it.
        var idleMB = 0.0
        var peakMB = 0.0
        var settledMB = 0.0
        /// What the first failed request answered.
        var firstError: String?
        /// CPU seconds the `fieldsync-server` processes used while the reps ran (not PostgreSQL's).
        var serverCPUSeconds = 0.0

        var latencies: [Double] { pushLatencies + pullLatencies }
        var requestsPerSecond: Double { Double(requests) / elapsed }
        /// The servers' CPU time per request, in milliseconds: what a change to the server costs or saves, whatever
        /// share of this host's cores the load generator takes.
        var serverCPUMsPerRequest: Double { serverCPUSeconds * 1000 / Double(max(requests, 1)) }
    }

    func run() async throws -> Outcome {
        let location: String
        var directory: URL?
        if backend == "postgres" {
            location = try PostgresFixture.freshDatabase()
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-load-\(UUID())")
            directory = folder
            location = folder.appendingPathComponent("server.sqlite").path
        }
        defer { if let directory { try? FileManager.default.removeItem(at: directory) } }
        let store = try await StoreLocation(location).open()
        let hash = PasswordHasher(iterations: 1_000).hash("bench-password")
        for rep in 0..<reps {
            _ = try await store.addUser(
                name: "rep\(rep)", role: .rep, team: "load", territories: ["t\(rep % 30)"], passwordHash: hash)
        }
        var servers: [BinaryRunner.Server] = []
        for _ in 0..<nodes { servers.append(try await BinaryRunner.Server(db: location)) }
        defer { for server in servers { server.stop() } }
        let memory = { servers.compactMap { ProcessMemory(pid: $0.process.processIdentifier) } }
        let idle = memory()

        var started = ContinuousClock.now
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: reps + 10)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

        let outcome: Outcome
        do {
            // Laptops log in once and then sync for weeks: the reps log in one after another before the clock starts
            // (300 at once from one address would be refused as a spray of names by the login limit).
            var tokens: [String] = []
            for rep in 0..<reps { tokens.append(try await login(rep: rep, base: servers[rep % nodes].url, http: http)) }
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            let cpu = { servers.compactMap { ProcessCPU(pid: $0.process.processIdentifier)?.seconds }.reduce(0, +) }
            let cpuBefore = cpu()
            started = ContinuousClock.now
            var measured = try await rounds(servers: servers, tokens: tokens, http: http, until: deadline)
            measured.serverCPUSeconds = cpu() - cpuBefore
            outcome = measured
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
        var result = outcome
        result.elapsed = Self.ms(since: started) / 1000
        let loaded = memory()
        try await Task.sleep(for: .seconds(settleSeconds))
        let settled = memory()
        guard idle.count == nodes, loaded.count == nodes, settled.count == nodes else {
            throw BenchFailure("a server's memory could not be read from /proc (did it exit?)")
        }
        result.idleMB = idle.map(\.residentMB).max()!
        result.peakMB = loaded.map(\.peakMB).max()!
        result.settledMB = settled.map(\.residentMB).max()!
        result.changeSeq = try await store.stats().changeSeq
        await store.close()
        if let failure = result.firstError {
            throw BenchFailure("\(result.errors) requests failed; the first: \(failure)")
        }
        // Each acknowledged push changed exactly one record once: anything else is a lost or duplicated write.
        guard result.changeSeq == Int64(result.pushes) else {
            throw BenchFailure("\(result.pushes) pushes acknowledged but the server holds \(result.changeSeq) changes")
        }
        return result
    }

    /// Every rep's loop at once; their figures summed.
    func rounds(
        servers: [BinaryRunner.Server], tokens: [String], http: HTTPClient, until deadline: ContinuousClock.Instant
    ) async throws -> Outcome {
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            for rep in 0..<reps {
                let base = servers[rep % nodes].url
                group.addTask {
                    try await repLoop(rep: rep, base: base, token: tokens[rep], http: http, until: deadline)
                }
            }
            var total = Outcome()
            for try await part in group {
                total.requests += part.requests
                total.pushes += part.pushes
                total.pulledRecords += part.pulledRecords
                total.errors += part.errors
                total.firstError = total.firstError ?? part.firstError
                total.pushLatencies += part.pushLatencies
                total.pullLatencies += part.pullLatencies
            }
            return total
        }
    }

    /// Logs rep `rep` in on `base`; returns its token.
    func login(rep: Int, base: String, http: HTTPClient) async throws -> String {
        let login = LoginRequest(user: "rep\(rep)", password: "bench-password", replica: Self.replica(rep))
        let (data, _) = try await httpRequest(base + "/v1/login", body: try JSONEncoder().encode(login), client: http)
        guard let token = try? JSONDecoder().decode(LoginResponse.self, from: data).token else {
            throw BenchFailure("rep\(rep) could not log in: \(String(decoding: data, as: UTF8.self))")
        }
        return token
    }

    static func replica(_ rep: Int) -> ReplicaID { ReplicaID(trusted: "lap-load-\(rep)") }

    /// One rep: push and pull until the deadline. Territory `t(rep % 30)` is shared by several reps, so pulls bring
    /// their colleagues' changes.
    func repLoop(
        rep: Int, base: String, token: String, http: HTTPClient, until deadline: ContinuousClock.Instant
    ) async throws -> Outcome {
        var outcome = Outcome()
        let replica = Self.replica(rep)
        var clock = HybridLogicalClock(replica: replica)
        var seq: UInt64 = 0
        var cursor = ""
        let record = RecordID(trusted: "load-\(rep)")
        var random = SeededGenerator(seed: UInt64(rep) + 1)
        // Paced reps start spread over one pause, as laptops do, not all in the same millisecond.
        if thinkMs > 0 { try await Task.sleep(for: .milliseconds(Int.random(in: 0...(2 * thinkMs), using: &random))) }
        while ContinuousClock.now < deadline {
            seq += 1
            var writes: [Write] = []
            if seq == 1 {
                writes = [
                    .create(record: record, entity: .customer),
                    .set(record: record, field: "territory", value: .text("t\(rep % 30)"), bases: []),
                ]
            }
            for index in writes.count..<writesPerPush {
                // A phone must look like one (issue 15): a valid number that changes with every push.
                let (field, text) =
                    index % 2 == 0
                    ? ("name", "v\(seq)-\(index)") : ("phone", "0571-\(1_000_000 + seq * 10 + UInt64(index))")
                writes.append(.set(record: record, field: field, value: .text(text), bases: []))
            }
            let wall = Int64(Date().timeIntervalSince1970 * 1000)
            let mutation = Mutation(replica: replica, seq: seq, hlc: clock.now(physicalMs: wall), writes: writes)
            let body = try JSONEncoder().encode(PushRequest(mutations: [mutation]))
            let pushStart = ContinuousClock.now
            let (pushData, pushStatus) = try await httpRequest(
                base + "/v1/push", token: token, body: body, client: http)
            outcome.pushLatencies.append(Self.ms(since: pushStart))
            outcome.requests += 1
            if pushStatus == 200,
                (try? JSONDecoder().decode(PushResponse.self, from: pushData))?.results.first?.status == .applied
            {
                outcome.pushes += 1
            } else {
                outcome.errors += 1
                outcome.firstError =
                    outcome.firstError ?? "push \(pushStatus): \(String(decoding: pushData, as: UTF8.self))"
            }
            let pullStart = ContinuousClock.now
            let (pullData, pullStatus) = try await httpRequest(
                base + "/v1/pull?cursor=\(cursor)&limit=500", token: token, body: nil, client: http)
            outcome.pullLatencies.append(Self.ms(since: pullStart))
            outcome.requests += 1
            if pullStatus == 200, let page = try? JSONDecoder().decode(PullResponse.self, from: pullData) {
                cursor = page.cursor
                outcome.pulledRecords += page.records.count
            } else {
                outcome.errors += 1
                outcome.firstError =
                    outcome.firstError ?? "pull \(pullStatus): \(String(decoding: pullData, as: UTF8.self))"
            }
            if thinkMs > 0 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...(2 * thinkMs), using: &random)))
            }
        }
        return outcome
    }

    static func ms(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start) / .milliseconds(1)
    }
}
