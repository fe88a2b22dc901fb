import AsyncHTTPClient
import FieldSyncModel
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

@testable import FieldSyncServer

/// Two `fieldsync-server` processes on one PostgreSQL database, every laptop switching nodes at random.
@Suite struct MultiNodeTests {
    /// One node's HTTP surface, as a laptop sees it.
    struct Node: Sendable {
        let url: String

        func send<T: Decodable>(_ method: HTTPMethod, _ path: String, token: String? = nil, body: Data? = nil)
            async throws -> T
        {
            var request = HTTPClientRequest(url: url + path)
            request.method = method
            request.headers.add(name: "Content-Type", value: "application/json")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            try #require(response.status == .ok, "\(method) \(path): \(String(buffer: bytes))")
            return try JSONDecoder().decode(T.self, from: Data(bytes.readableBytesView))
        }

        func login(_ user: String, replica: String) async throws -> String {
            let request = LoginRequest(user: user, password: TestServer.password, replica: ReplicaID(trusted: replica))
            let response: LoginResponse = try await send(.POST, "/v1/login", body: try JSONEncoder().encode(request))
            return response.token
        }

        func push(_ token: String, _ mutations: [Mutation]) async throws -> PushResponse {
            try await send(
                .POST, "/v1/push", token: token, body: try JSONEncoder().encode(PushRequest(mutations: mutations)))
        }

        func pull(_ token: String, cursor: String, limit: Int) async throws -> PullResponse {
            try await send(.GET, "/v1/pull?cursor=\(cursor)&limit=\(limit)", token: token)
        }
    }

    /// What a puller saw: each page's records and the cursor after it.
    struct PageLog {
        var pages: [(records: [RecordSnapshot], cursorSeq: Int64)] = []
        var state: [RecordID: RecordSnapshot] = [:]
        var cursor = ""

        mutating func apply(_ page: PullResponse) {
            for record in page.records { state[record.id] = record }
            for id in page.removed { state[id] = nil }
            cursor = page.cursor
            pages.append((page.records, page.changeSeq))
        }
    }

    /// What the concurrent laptops share: the acknowledged changes and how many pushers still run.
    final class Shared: Sendable {
        let acks = Mutex<[Ack]>([])
        let pushing: Atomic<Int>
        init(pushers: Int) { pushing = Atomic(pushers) }
    }

    /// An acknowledged change: `record` reached `version` when its push was acknowledged.
    struct Ack: Sendable {
        let record: RecordID
        let version: Int64
    }

    @Test func twoNodesOnOneDatabaseNeverSkipAChangeAndApplyEachMutationOnce() async throws {
        let seed = UInt64.random(in: 1...UInt64.max >> 1)
        testOutput("multi-node seed \(seed)")
        let url = try PostgresFixture.freshDatabase()
        let setup = try await PostgresStore(url: url)
        let hasher = PasswordHasher(iterations: 1_000)
        let reps = (0..<8).map { "rep\($0)" }
        for rep in reps {
            _ = try await setup.addUser(
                name: rep, role: .rep, team: "north", territories: ["east"],
                passwordHash: hasher.hash(TestServer.password))
        }
        _ = try await setup.addUser(
            name: "mia", role: .manager, team: "north", territories: [], passwordHash: hasher.hash(TestServer.password))
        _ = try await setup.addUser(
            name: "root", role: .admin, team: "hq", territories: [], passwordHash: hasher.hash(TestServer.password))

        let servers = [try await BinaryRunner.Server(db: url), try await BinaryRunner.Server(db: url)]
        defer { for server in servers { server.stop() } }
        let nodes = servers.map { Node(url: $0.url) }
        let wall = ManualClock(Int64(Date().timeIntervalSince1970 * 1000))

        // Hot customers everyone edits.
        let rootToken = try await nodes[0].login("root", replica: "lap-root")
        var rootLaptop = Laptop("lap-root", wall: wall)
        let hot = (0..<12).map { "hot\($0)" }
        _ = try await nodes[0].push(rootToken, hot.map { rootLaptop.createCustomer($0, territory: "east") })

        let shared = Shared(pushers: reps.count)
        let logs = try await withThrowingTaskGroup(of: (String, PageLog).self) { group in
            for (index, rep) in reps.enumerated() {
                group.addTask {
                    var random = SeededGenerator(seed: seed &+ UInt64(index))
                    defer { shared.pushing.subtract(1, ordering: .relaxed) }
                    let token = try await nodes[index % 2].login(rep, replica: "lap-\(rep)")
                    var laptop = Laptop("lap-\(rep)", wall: wall)
                    var log = PageLog()
                    for step in 0..<25 {
                        let node = nodes[Int.random(in: 0...1, using: &random)]
                        let mutation =
                            Bool.random(using: &random)
                            ? laptop.mutation([
                                set(
                                    hot.randomElement(using: &random)!, "phone",
                                    .text("0571-\(rep.dropFirst(3))-\(step)"))
                            ])
                            : laptop.createCustomer("\(rep)-c\(step)", territory: "east")
                        let reply = try await node.push(token, [mutation])
                        #expect(reply.results[0].status == .applied, "\(rep) step \(step): \(reply.results[0])")
                        let record = mutation.writes[0].record
                        shared.acks.withLock { $0.append(Ack(record: record, version: reply.changeSeq)) }
                        if step % 5 == 4 {
                            log.apply(try await node.pull(token, cursor: log.cursor, limit: 7))
                        }
                    }
                    return (rep, log)
                }
            }
            for (index, puller) in [("root", "lap-root-reader"), ("mia", "lap-mia")].enumerated() {
                group.addTask {
                    var random = SeededGenerator(seed: seed &+ 100 &+ UInt64(index))
                    let token = try await nodes[index].login(puller.0, replica: puller.1)
                    var log = PageLog()
                    while shared.pushing.load(ordering: .relaxed) > 0 {
                        let node = nodes[Int.random(in: 0...1, using: &random)]
                        log.apply(
                            try await node.pull(token, cursor: log.cursor, limit: Int.random(in: 1...9, using: &random))
                        )
                    }
                    return (puller.0, log)
                }
            }
            var logs: [(String, String, PageLog)] = []
            for try await (user, log) in group {
                logs.append((user, user == "root" ? "lap-root-reader" : "lap-\(user)", log))
            }
            return logs
        }

        // Idempotency across nodes: the same mutation sent to both nodes at once is applied once.
        let twinToken = try await nodes[0].login("rep0", replica: "lap-twin")
        var twin = Laptop("lap-twin", wall: wall)
        for round in 0..<10 {
            let mutation = twin.mutation([set(hot[round], "name", .text("twin \(round)"))])
            async let first = nodes[0].push(twinToken, [mutation])
            async let second = nodes[1].push(twinToken, [mutation])
            let statuses = [try await first.results[0].status, try await second.results[0].status]
            #expect(
                statuses.sorted { $0.rawValue < $1.rawValue } == [.applied, .duplicate], "round \(round): \(statuses)")
        }
        let history = try await setup.dump().tables["history"] ?? []
        let twinWrites = history.filter { $0[0] != .null && "\($0[0])".contains("lap-twin") }
        #expect(twinWrites.count == 10, "the twin's 10 writes are in history \(twinWrites.count) times")

        // Every client drains on a random node and must hold exactly the server's state for its view.
        let truthToken = try await nodes[1].login("root", replica: "lap-root-check")
        var truth = PageLog()
        while true {
            let page = try await nodes[1].pull(truthToken, cursor: truth.cursor, limit: 500)
            truth.apply(page)
            if !page.more { break }
        }
        #expect(
            truth.state.count == hot.count
                + shared.acks.withLock { $0 }.filter { !$0.record.rawValue.hasPrefix("hot") }.count)
        let allAcks = shared.acks.withLock { $0 }.sorted { $0.version < $1.version }
        for (user, replica, var log) in logs {
            let token = try await nodes[0].login(user, replica: replica)
            while true {
                let page = try await nodes[log.pages.count % 2].pull(token, cursor: log.cursor, limit: 50)
                log.apply(page)
                if !page.more { break }
            }
            let differing = Set(log.state.keys).union(truth.state.keys).filter { log.state[$0] != truth.state[$0] }
            #expect(
                differing.isEmpty,
                "\(user)'s final state differs from the server's on \(differing.sorted().prefix(5)) (seed \(seed))")
            // Replay the pages: once a page's cursor reached an acknowledged change, that change had been delivered.
            var seen: [RecordID: Int64] = [:]
            var next = 0
            for page in log.pages {
                for record in page.records { seen[record.id] = record.version }
                while next < allAcks.count, allAcks[next].version <= page.cursorSeq {
                    // Delivered, or superseded by a version past this cursor (a pull sends current state).
                    let ack = allAcks[next]
                    #expect(
                        (seen[ack.record] ?? 0) >= ack.version
                            || (truth.state[ack.record]?.version ?? 0) > page.cursorSeq,
                        "\(user)'s cursor passed \(ack.record)@\(ack.version) without delivering it (seed \(seed))")
                    next += 1
                }
            }
        }
        await setup.close()
    }

    /// Two reps of different territories create the same record id at the same moment on two nodes: one create is
    /// applied, the other refused (as `unknown_record`: the record is in a territory its author cannot see), and the
    /// record holds the applied create's writes only.
    @Test func twoNodesCreatingOneRecordIdAtOnceApplyOneAndRefuseTheOther() async throws {
        let url = try PostgresFixture.freshDatabase()
        let setup = try await PostgresStore(url: url)
        let hasher = PasswordHasher(iterations: 1_000)
        for (name, team, territory) in [("ana", "north", "east"), ("bo", "south", "west")] {
            _ = try await setup.addUser(
                name: name, role: .rep, team: team, territories: [territory],
                passwordHash: hasher.hash(TestServer.password))
        }
        let servers = [try await BinaryRunner.Server(db: url), try await BinaryRunner.Server(db: url)]
        defer { for server in servers { server.stop() } }
        let nodes = servers.map { Node(url: $0.url) }
        let wall = ManualClock(Int64(Date().timeIntervalSince1970 * 1000))
        let tokens = [
            try await nodes[0].login("ana", replica: "lap-ana"), try await nodes[1].login("bo", replica: "lap-bo"),
        ]
        var laptops = [Laptop("lap-ana", wall: wall), Laptop("lap-bo", wall: wall)]
        for round in 0..<20 {
            let id = "race\(round)"
            let creates = [
                laptops[0].createCustomer(id, territory: "east", name: "ana's"),
                laptops[1].createCustomer(id, territory: "west", name: "bo's"),
            ]
            async let first = nodes[0].push(tokens[0], [creates[0]])
            async let second = nodes[1].push(tokens[1], [creates[1]])
            let results = [try await first.results[0], try await second.results[0]]
            let applied = results.indices.filter { results[$0].status == .applied }
            #expect(applied.count == 1, "round \(round): \(results)")
            // The loser cannot see the winner's territory, so it is told what a missing record would tell it.
            #expect(
                results.contains { $0.status == .rejected && $0.code == .unknownRecord }, "round \(round): \(results)")
            guard let winner = applied.first else { continue }
            let dump = try await setup.dump()
            let record = try #require(dump.tables["records"]?.first { $0[0] == .text(id) })
            #expect("\(record)".contains(winner == 0 ? "east" : "west"), "round \(round): \(record)")
            let loser = winner == 0 ? "lap-bo" : "lap-ana"
            let stray = (dump.tables["history"] ?? []).filter { $0[2] == .text(id) && "\($0[0])".contains(loser) }
            #expect(stray.isEmpty, "round \(round): the refused create left history \(stray)")
        }
        await setup.close()
    }
}
