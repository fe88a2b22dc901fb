import Foundation

/// Makes a failing scenario shorter while an expectation or the check still fails, for a bug report: first it drops
/// laptops (a member, their steps, their syncs), then runs of steps, halving the run's length each pass (delta
/// debugging), within a time budget; steps left naming what was dropped are dropped last.
public struct ScenarioShrinker: Sendable {
    /// How long shrinking may take; the shortest failing scenario found by then is the answer.
    public var budget: Duration

    /// A shrinker that stops after `seconds`.
    public init(seconds: Double = 300) { budget = .milliseconds(Int64(seconds * 1_000)) }

    /// What shrinking found.
    public struct Result: Sendable {
        /// The shortest scenario found that still fails (the one given, when no shorter one failed).
        public let scenario: Scenario
        /// Scenarios run while shrinking.
        public let runs: Int
        /// Whether the given scenario failed at all (nothing to shrink otherwise).
        public let failed: Bool
    }

    /// Shrinks `scenario`; `log` hears of each shorter one found.
    public func shrink(_ scenario: Scenario, log: @escaping @Sendable (String) -> Void = { _ in }) async throws
        -> Result
    {
        let deadline = ContinuousClock.now + budget
        var runs = 0
        func failures(_ candidate: Scenario, skipping: Bool = true) async throws -> Set<String> {
            runs += 1
            var runner = ScenarioRunner(candidate)
            runner.skipsUnperformed = skipping
            return Set(try await runner.run().failures.filter { !$0.unperformed }.map(Self.signature))
        }
        // A shorter scenario counts only if it fails the same way: the same expectation seeing the same thing, or
        // the check finding something wrong.
        guard let wanted = try await failures(scenario).sorted().first else {
            return Result(scenario: scenario, runs: runs, failed: false)
        }
        func fails(_ candidate: Scenario) async throws -> Bool { try await failures(candidate).contains(wanted) }
        var best = scenario
        // Laptops first: one fewer laptop usually takes many steps with it.
        for member in scenario.team where best.team.count > 1 && ContinuousClock.now < deadline {
            let candidate = best.without(laptop: member.user)
            if try await fails(candidate) {
                best = candidate
                log("shrunk to \(best.team.count) laptops, \(best.steps.count) steps")
            }
        }
        var chunk = max(1, best.steps.count / 2)
        while ContinuousClock.now < deadline {
            var start = 0
            while start < best.steps.count && ContinuousClock.now < deadline {
                var candidate = best
                candidate.steps.removeSubrange(start..<min(start + chunk, best.steps.count))
                if try await fails(candidate) {
                    best = candidate
                    log("shrunk to \(best.team.count) laptops, \(best.steps.count) steps")
                } else {
                    start += chunk
                }
            }
            if chunk == 1 { break }
            chunk = max(1, chunk / 2)
        }
        // Steps naming a record or laptop no longer made could not be carried out: they go too, if it still fails.
        var runner = ScenarioRunner(best)
        runner.skipsUnperformed = true
        let skipped = Set(try await runner.run().skipped)
        runs += 1
        if !skipped.isEmpty {
            var candidate = best
            candidate.steps = best.steps.enumerated().filter { !skipped.contains($0.offset + 1) }.map(\.element)
            if try await failures(candidate, skipping: false).contains(wanted) { best = candidate }
        }
        best.name = "Shortest failing version of: " + scenario.name
        return Result(scenario: best, runs: runs, failed: true)
    }

    /// How a failure reads for "fails the same way": the step, and what was seen unless it was the check.
    static func signature(_ failure: ScenarioRunner.Failure) -> String {
        failure.text == Scenario.Action.check.line ? failure.text : failure.text + " saw " + failure.seen
    }
}

extension Scenario {
    /// This scenario without the laptop `name`: its member, every step it takes, and its name in syncs.
    func without(laptop name: String) -> Scenario {
        var copy = self
        copy.team.removeAll { $0.user == name }
        copy.steps = steps.compactMap { step in
            switch step.action {
            case .sync(let names):
                let kept = names.filter { $0 != name }
                return kept.isEmpty ? nil : kept == names ? step : Step(.sync(kept))
            case .expect(let expectation) where expectation.laptop == name:
                return nil
            default:
                return step.action.laptop == name ? nil : step
            }
        }
        return copy
    }
}

extension Scenario.Action {
    /// The laptop the step acts on, if one.
    var laptop: String? {
        switch self {
        case .add(let laptop, _, _, _, _), .edit(let laptop, _, _, _, _), .note(let laptop, _, _),
            .delete(let laptop, _), .restore(let laptop, _), .merge(let laptop, _, _), .network(let laptop, _),
            .copy(let laptop, _, _), .clock(let laptop, _), .fault(let laptop, _), .upgrade(let laptop):
            laptop
        case .expect(let expectation): expectation.laptop
        case .console(let user, _, _, _): user
        case .sync, .server, .wait, .settle, .check: nil
        }
    }
}
