import FieldSyncModel
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the built `fieldsync-server` executable as an operator would: add a user, serve, log in, push, pull, stop.
@Suite struct ServerBinaryTests {
    /// The built executable, next to the test bundle.
    static func binary() throws -> URL {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].compactMap { $0?.appendingPathComponent("fieldsync-server") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw BinaryMissing(searched: candidates.map(\.path))
        }
        return found
    }

    struct BinaryMissing: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "fieldsync-server not built (run `swift build --build-tests`); searched \(searched)" }
    }

    /// Runs the binary to completion; returns exit status and output.
    static func run(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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

        let server = Process()
        server.executableURL = try Self.binary()
        server.arguments = ["serve", "--db", db, "--port", "0", "--log-level", "warning"]
        let output = Pipe()
        server.standardOutput = output
        let buffer = Mutex(Data())
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            buffer.withLock { $0.append(chunk) }
        }
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var base: URL?
        for _ in 0..<200 where base == nil {
            try await Task.sleep(for: .milliseconds(50))
            let text = buffer.withLock { String(decoding: $0, as: UTF8.self) }
            if let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: " ") {
                base = URL(string: String(text[range.upperBound..<end]))
            }
        }
        let url = try #require(base, "the server did not say where it listens")

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

        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationReason == .exit || server.terminationStatus == 0)
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
