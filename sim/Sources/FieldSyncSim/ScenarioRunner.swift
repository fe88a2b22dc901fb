import FieldSyncClient
import FieldSyncModel
import Foundation

/// Runs a `Scenario` against a real server in this process (SQLite in a folder of its own), or against running nodes,
/// with a real local store, sync engine and HTTP transport per laptop, step by step, checking each `expect` as it
/// comes. In this process the run is deterministic: a simulated clock and ids seeded by the scenario's `seed`.
public struct ScenarioRunner: Sendable {
    /// One expectation that did not hold, or a step that could not be carried out.
    public struct Failure: Sendable, Codable {
        /// The step's number, from 1.
        public let step: Int
        /// The step as written.
        public let text: String
        /// What was seen instead.
        public let seen: String
        /// Whether the step could not be carried out at all (a name never given, an edit the laptop refused),
        /// rather than an expectation or a check that did not hold.
        public var unperformed = false
    }

    /// What a run found.
    public struct Report: Sendable, Codable {
        /// The scenario's name.
        public let name: String
        /// Steps run.
        public let steps: Int
        /// Expectations checked.
        public let expectations: Int
        /// Expectations that did not hold.
        public let failures: [Failure]
        /// Seconds the run took.
        public let seconds: Double
        /// Steps passed over because they could not be carried out (only when shrinking), from 1.
        public var skipped: [Int] = []

        /// Whether an expectation or a check did not hold (not merely a step that could not be carried out).
        public var failedACheck: Bool { failures.contains { !$0.unperformed } }

        /// Whether every expectation held.
        public var passed: Bool { failures.isEmpty }

        /// The report for people: one line, then one per failure with the step, what it expected and what was seen.
        public var text: String {
            var lines = [
                "\(passed ? "PASSED" : "FAILED")  \(name): \(counted(steps, "step")), \(counted(expectations, "expectation"))"
                    + String(format: " in %.1f s", seconds)
            ]
            for failure in failures {
                lines.append("  step \(failure.step): \(failure.text)\n    saw: \(failure.seen)")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The scenario.
    public let scenario: Scenario
    /// Running nodes to use (laptops dealt to them in turn); empty: a server in this process, SQLite in the run's
    /// folder.
    public var servers: [String] = []
    /// The running nodes' database (SQLite file or `postgres://` URL), where the runner adds the team's accounts.
    public var database: String?
    /// Whether a step that cannot be carried out is passed over (shrinking drops the steps another depends on).
    var skipsUnperformed = false

    /// A runner for `scenario`, against a server of its own in this process.
    public init(_ scenario: Scenario) { self.scenario = scenario }

    /// A runner for `scenario` against running `servers` (laptops dealt to them in turn) and their `database`.
    public init(_ scenario: Scenario, servers: [String], database: String) {
        self.scenario = scenario
        self.servers = servers
        self.database = database
    }

    static let password = "scenario-password"

    /// Runs the scenario in a temporary folder (removed afterwards unless `keep` names one to use instead).
    public func run(keep: String? = nil) async throws -> Report {
        let started = ContinuousClock.now
        let work =
            keep
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-scenario-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: work) } }
        var config = SimulationConfig()
        config.workDirectory = work
        config.servers = servers
        config.database = database
        let clock = servers.isEmpty ? SimClock(startMs: SimWorld.startMs) : .wall
        let server = try await SimServer.start(config: config, work: work, clock: clock)
        defer { server.stop() }
        // Running servers keep what earlier runs made: ids must not repeat there.
        let state = RunState(
            server: server, work: work, clock: clock,
            seed: server.embedded ? scenario.seed : UInt64.random(in: 1...UInt64.max))
        for (index, member) in scenario.team.enumerated() {
            try await state.join(member, password: Self.password, node: server.urls[index % server.urls.count])
        }
        if !scenario.data.isEmpty {
            try await state.join(
                Scenario.Member(user: Scenario.setup, role: .admin, team: "scenario-admins"), password: Self.password)
            do {
                for entry in scenario.data { try state.edit(entry.action) }
            } catch let problem as StepProblem {
                throw SimulationError.badArgument("The scenario's data cannot be entered: \(problem.message)")
            }
            try await state.perform(.sync([Scenario.setup] + scenario.team.map(\.user)))
        }
        var failures: [Failure] = []
        var expectations = 0
        var skipped: [Int] = []
        for (index, step) in scenario.steps.enumerated() {
            do {
                switch step.action {
                case .expect(let expectation):
                    expectations += 1
                    if let seen = try await state.check(expectation) {
                        failures.append(Failure(step: index + 1, text: step.text, seen: seen))
                    }
                case .check:
                    expectations += 1
                    let violations = try await state.checkNothingLost()
                    if !violations.isEmpty {
                        failures.append(
                            Failure(step: index + 1, text: step.text, seen: violations.joined(separator: "; ")))
                    }
                default:
                    try await state.perform(step.action)
                }
            } catch let problem as StepProblem {
                if skipsUnperformed {
                    skipped.append(index + 1)
                    continue
                }
                failures.append(Failure(step: index + 1, text: step.text, seen: problem.message, unperformed: true))
                break  // a step that could not be done leaves nothing sound to check after it
            }
        }
        return Report(
            name: scenario.name, steps: scenario.steps.count, expectations: expectations, failures: failures,
            seconds: (ContinuousClock.now - started) / .seconds(1), skipped: skipped)
    }
}
