import AsyncHTTPClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import NIOCore
import NIOSSL
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the built `fieldsync-server` executable as an operator would: add a user, serve, log in, push, pull, stop.
@Suite struct ServerBinaryTests {
    static func run(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        let outcome = try BinaryRunner.run("fieldsync-server", arguments, stdin: stdin)
        return (outcome.status, outcome.output + outcome.error)
    }

    static func request(_ method: String, _ url: URL, token: String? = nil, body: some Encodable) async throws -> (
        Int, Data
    ) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if method != "GET" { request.httpBody = try JSONEncoder().encode(body) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test func anOperatorAddsAUserServesAndLaptopsSync() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-bin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("server.sqlite").path

        let added = try Self.run(
            [
                "user", "add", "ana", "--role", "rep", "--team", "north", "--territory", "east,south",
                "--password-stdin",
                "--password-iterations", "1000", "--db", db,
            ],
            stdin: "s3cret-password\n")
        #expect(added.status == 0, "\(added.output)")
        #expect(added.output.contains("Added rep ana"))
        let duplicate = try Self.run(
            ["user", "add", "ana", "--role", "rep", "--team", "north", "--password-stdin", "--db", db],
            stdin: "another-password\n")
        #expect(duplicate.status != 0 && duplicate.output.contains("already exists"))
        let wrongFlag = try Self.run(["serve", "--bogus"])
        #expect(wrongFlag.status != 0 && wrongFlag.output.contains("Unknown option"))
        let listed = try Self.run(["user", "list", "--db", db])
        #expect(listed.output.contains("ana") && listed.output.contains("east,south"))

        let server = try await BinaryRunner.Server(db: db)
        let url = try #require(URL(string: server.url))

        let (health, _) = try await Self.request("GET", url.appendingPathComponent("healthz"), body: "")
        #expect(health == 200)
        let replica = ReplicaID(trusted: "lap-bin")
        let (status, data) = try await Self.request(
            "POST", url.appendingPathComponent("v1/login"),
            body: LoginRequest(user: "ana", password: "s3cret-password", replica: replica))
        #expect(status == 200)
        let token = try JSONDecoder().decode(LoginResponse.self, from: data).token
        var clock = HybridLogicalClock(replica: replica)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let mutation = Mutation(
            replica: replica, seq: 1, hlc: clock.now(physicalMs: now),
            writes: [
                .create(record: RecordID(trusted: "c1"), entity: .customer),
                .set(record: RecordID(trusted: "c1"), field: "name", value: .text("杭州明达机械"), bases: []),
                .set(record: RecordID(trusted: "c1"), field: "territory", value: .text("east"), bases: []),
            ])
        let (pushStatus, pushData) = try await Self.request(
            "POST", url.appendingPathComponent("v1/push"), token: token, body: PushRequest(mutations: [mutation]))
        #expect(pushStatus == 200)
        #expect(try JSONDecoder().decode(PushResponse.self, from: pushData).results.map(\.status) == [.applied])
        let (pullStatus, pullData) = try await Self.request(
            "GET", url.appendingPathComponent("v1/pull"), token: token, body: "")
        #expect(pullStatus == 200)
        let page = try JSONDecoder().decode(PullResponse.self, from: pullData)
        #expect(page.records.first?.state.value("name") == .text("杭州明达机械"))

        // The operator's drill: an online backup while laptops push, then a restore with the server stopped.
        let backup = directory.appendingPathComponent("nightly.sqlite").path
        let backedUp = try Self.run(["backup", "--db", db, "--to", backup])
        #expect(backedUp.status == 0 && backedUp.output.contains("Backed up"), "\(backedUp.output)")
        let second = Mutation(
            replica: replica, seq: 2, hlc: clock.now(physicalMs: now),
            writes: [.set(record: RecordID(trusted: "c1"), field: "phone", value: .text("+86 571 1234"), bases: [])])
        let (secondStatus, _) = try await Self.request(
            "POST", url.appendingPathComponent("v1/push"), token: token, body: PushRequest(mutations: [second]))
        #expect(secondStatus == 200)
        let generation = try JSONDecoder().decode(PullResponse.self, from: pullData).generation

        let ended = server.stop()
        #expect(ended.reason == .exit && ended.status == 0, "SIGTERM should stop the server cleanly")
        let sameFile = try Self.run(["backup", "--db", db, "--to", db])
        #expect(sameFile.status == 2 && sameFile.output.contains("another file"), "\(sameFile.output)")
        let missing = try Self.run(["restore", "--db", db, "--from", backup + ".missing"])
        #expect(missing.status == 2 && missing.output.contains("No backup"), "\(missing.output)")
        let text = directory.appendingPathComponent("notes.txt").path
        try Data("not a backup".utf8).write(to: URL(fileURLWithPath: text))
        let wrong = try Self.run(["restore", "--db", db, "--from", text])
        #expect(wrong.status == 1 && wrong.output.contains("not a FieldSync backup"), "\(wrong.output)")
        let restored = try Self.run(["restore", "--db", db, "--from", backup])
        #expect(restored.status == 0 && restored.output.contains("New server generation"), "\(restored.output)")
        // What the database held before is kept beside the backup, so a restore of the wrong file can be undone.
        let safety = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasPrefix("fieldsync-before-restore-")
        }
        #expect(safety.count == 1 && restored.output.contains(safety.first ?? "?"), "\(restored.output)")
        let before = try await SQLiteStore(path: directory.appendingPathComponent(safety.first ?? "?").path)
        #expect(
            try await before.dump().records()[RecordID(trusted: "c1")]?.state.value("phone") == .text("+86 571 1234"))
        let after = try await SQLiteStore(path: db)
        #expect(try await after.generation() != generation)
        let phone = try await after.dump().records()[RecordID(trusted: "c1")]?.state.value("phone")
        #expect(phone == .null, "the restore must bring back the state of the backup")
        let stats = try Self.run(["stats", "--json", "--db", db])
        #expect(stats.status == 0)
        let figures = try JSONDecoder().decode(StatsFigures.self, from: Data(stats.output.utf8))
        #expect(figures.records == 1 && figures.replicas.first?.replica == "lap-bin")
    }

    struct StatsFigures: Decodable {
        struct Replica: Decodable { let replica: String }
        let records: Int
        let replicas: [Replica]
    }
}

/// `serve --tls-cert --tls-key` speaks HTTPS and nothing else.
@Suite struct ServerTLSTests {
    @Test func theServerSpeaksHTTPSWithTheGivenCertificate() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await BinaryRunner.Server(
            db: directory.appendingPathComponent("tls.sqlite").path,
            extraArguments: [
                "--tls-cert", fixtures.appendingPathComponent("test-cert.pem").path,
                "--tls-key", fixtures.appendingPathComponent("test-key.pem").path,
            ])
        defer { server.stop() }
        #expect(server.url.hasPrefix("https://"))
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        let response = try await client.execute(HTTPClientRequest(url: server.url + "/healthz"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 16)
        #expect(response.status == .ok && String(buffer: body) == #"{"status":"ok"}"#)
        let plain = HTTPClientRequest(
            url: server.url.replacingOccurrences(of: "https://", with: "http://") + "/healthz")
        await #expect(throws: (any Error).self) { _ = try await client.execute(plain, timeout: .seconds(5)) }
        try await client.shutdown()
        let half = try BinaryRunner.run("fieldsync-server", ["serve", "--tls-cert", "x.pem"])
        #expect(half.status != 0 && half.error.contains("--tls-cert and --tls-key go together"))
    }
}
