import Foundation
import TestSupport
import Testing

/// Property-based API fuzzing of a live `fieldsync-server serve` with schemathesis and protocol/openapi.yaml: every
/// operation, positive and negative cases, every schemathesis check (server errors, status codes, content types,
/// response schemas and headers, unsupported methods, ignored auth) plus the project's own (Fixtures/schemathesis:
/// a refused request changes nothing stored, a malformed mutation is never applied).
///
/// Seeded: `FIELDSYNC_FUZZ_SEED=N` replays a run, `FIELDSYNC_API_FUZZ_EXAMPLES` sets the cases per operation.
@Suite struct APIFuzzTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemathesis")
    static let seed =
        ProcessInfo.processInfo.environment["FIELDSYNC_FUZZ_SEED"].flatMap { UInt32($0) }
        ?? UInt32.random(in: 1...UInt32.max)
    static let examples = ProcessInfo.processInfo.environment["FIELDSYNC_API_FUZZ_EXAMPLES"].flatMap { Int($0) } ?? 30
    static let password = "s3cret-password\n"

    @Test func schemathesisFindsNoServerErrorNoSpecViolationAndNoStateChangeFromARefusal() async throws {
        let schemathesis = try PythonTools.schemathesis()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-api-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("server.sqlite").path
        try BinaryRunner.addUser("ana", db: db)
        try BinaryRunner.addUser("bo", db: db, territory: "west")
        let metricsToken = String(repeating: "5a", count: 32)
        let server = try await BinaryRunner.Server(db: db, extraArguments: ["--metrics-token", metricsToken])
        defer { server.stop() }
        func fieldsync(_ laptop: String, _ arguments: [String]) throws -> BinaryRunner.Outcome {
            let outcome = try BinaryRunner.run(
                "fieldsync", arguments, stdin: Self.password,
                environment: ["FIELDSYNC_HOME": directory.appendingPathComponent(laptop).path])
            try #require(outcome.status == 0, "fieldsync \(arguments.joined(separator: " ")): \(outcome.error)")
            return outcome
        }
        func token(_ laptop: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent("\(laptop)/token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for (laptop, user, customer) in [("ana", "ana", "温州陈氏机械"), ("bo", "bo", "西部客户"), ("ana-2", "ana", "")] {
            _ = try fieldsync(laptop, ["login", "--server", server.url, "--user", user, "--password-stdin"])
            guard !customer.isEmpty else { continue }
            _ = try fieldsync(laptop, ["customer", "add", customer, "--territory", user == "ana" ? "east" : "west"])
            _ = try fieldsync(laptop, ["note", "add", customer, "首次拜访：需要报价"])
            _ = try fieldsync(laptop, ["sync"])
        }
        let logoutToken = try token("ana-2")
        let run = try BinaryRunner.runTool(
            schemathesis.path,
            [
                "--no-color", "--config-file", Self.fixtures.appendingPathComponent("schemathesis.toml").path, "run",
                PythonTools.packageRoot.appendingPathComponent("protocol/openapi.yaml").path, "--url", server.url,
                "--max-examples", String(Self.examples), "--seed", String(Self.seed),
            ],
            environment: [
                "FIELDSYNC_TOKEN": try token("ana"), "FIELDSYNC_METRICS_TOKEN": metricsToken,
                "FIELDSYNC_LOGOUT_TOKEN": logoutToken, "FIELDSYNC_DB": db,
                "FIELDSYNC_SCHEMAS": PythonTools.packageRoot.appendingPathComponent("protocol/schemas").path,
                "SCHEMATHESIS_HOOKS": Self.fixtures.appendingPathComponent("hooks.py").path,
            ])
        let replay = "FIELDSYNC_FUZZ_SEED=\(Self.seed) swift test --filter FieldSyncServerTests.APIFuzzTests/"
        let generated = run.output.firstMatch(of: /([0-9]+) generated/).flatMap { Int($0.1) } ?? 0
        #expect(run.status == 0, "schemathesis found problems; \(replay)\n\(run.output.suffix(12_000))\(run.error)")
        // Five operations take parameters or bodies and get up to `examples` cases each; the rest have few inputs.
        #expect(generated >= 5 * Self.examples, "too few cases ran:\n\(run.output.suffix(4000))")
        #expect(run.output.contains("Tested: 9"), "an operation was not tested:\n\(run.output.suffix(4000))")
        #expect(!run.output.contains("Authentication failed"), "an operation saw only 401/403:\n\(run.output)")
        let port = Int(server.url.split(separator: ":").last!)!
        let revoked = HostileConnectionTests.answer(
            port,
            to:
                "GET /v1/conflicts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(logoutToken)\r\nConnection: close\r\n\r\n"
        )
        #expect(revoked.hasPrefix("HTTP/1.1 401"), "logout left its token valid: \(revoked)")
        let after = try fieldsync("ana", ["sync"])
        #expect(after.status == 0)
        let list = try fieldsync("ana", ["customer", "list"])
        #expect(list.output.contains("温州陈氏机械") && !list.output.contains("西部客户"), "\(list.output)")
        guard run.status == 0 else { return }
        testOutput(
            "API fuzz (schemathesis \(PythonTools.schemathesisVersion), seed \(Self.seed)): \(generated) cases over 9"
                + " operations (up to \(Self.examples) per operation and phase): 0 server errors, 0 spec violations,"
                + " 0 state changes from refused requests")
    }
}
