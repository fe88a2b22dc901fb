import FieldSyncSim
import Foundation
import TestSupport
import Testing

/// Short simulations on both backends with every fault; `FIELDSYNC_SIM_DAYS` and `FIELDSYNC_SIM_REPS` make them
/// longer, `FIELDSYNC_SIM_SEED` replays one.
@Suite struct SimulationTests {
    static let environment = ProcessInfo.processInfo.environment
    static let fresh = UInt64.random(in: 1...999_999_999)

    /// Fixed seeds, plus one fresh seed per run (printed) so every CI run explores a new schedule.
    static var seeds: [UInt64] {
        if let seed = UInt64(environment["FIELDSYNC_SIM_SEED"] ?? "") { return [seed] }
        return [11, 42, fresh]
    }

    static func config(seed: UInt64, database: String?) -> SimulationConfig {
        var config = SimulationConfig()
        config.seed = seed
        config.reps = Int(environment["FIELDSYNC_SIM_REPS"] ?? "") ?? 9
        config.managers = 2
        config.days = Int(environment["FIELDSYNC_SIM_DAYS"] ?? "") ?? 2
        config.database = database
        config.faults = Set(SimulationConfig.Fault.allCases)
        return config
    }

    @Test(arguments: seeds) func aTeamOnSQLiteConvergesThroughEveryFault(seed: UInt64) async throws {
        let report = try await Simulation(Self.config(seed: seed, database: nil)).run()
        testOutput(report.text)
        #expect(report.violations.isEmpty, "replay: FIELDSYNC_SIM_SEED=\(seed) swift test --filter FieldSyncSimTests")
        #expect(report.acknowledged > 0 && report.syncs > 0)
        #expect(report.refusedFromFutureClock > 0, "the laptop 3 days ahead had its edits refused")
        #expect(report.duplicatesPlanted > 0 && report.duplicatesMerged > 0, "reps entered no duplicate cards")
    }

    @Test func aTeamWhoseSyncsRaceConvergesThroughEveryFault() async throws {
        var config = Self.config(seed: Self.fresh, database: nil)
        config.concurrent = true  // a round's syncs at the same moment, as reps back at the office
        let report = try await Simulation(config).run()
        testOutput(report.text)
        #expect(
            report.violations.isEmpty, "replay: FIELDSYNC_SIM_SEED=\(Self.fresh) swift test --filter FieldSyncSimTests")
        #expect(report.acknowledged > 0 && report.syncs > 0)
    }

    @Test(arguments: [7, fresh]) func aTeamOnPostgreSQLConvergesThroughEveryFault(seed: UInt64) async throws {
        let report = try await Simulation(Self.config(seed: seed, database: try PostgresFixture.freshDatabase())).run()
        testOutput(report.text)
        #expect(report.violations.isEmpty, "replay: FIELDSYNC_SIM_SEED=\(seed) swift test --filter FieldSyncSimTests")
        #expect(report.acknowledged > 0)
    }

    @Test func aSeedReplaysTheRunByteForByte() async throws {
        var config = SimulationConfig()
        (config.reps, config.managers, config.days) = (6, 1, 1)
        config.faults = Set(SimulationConfig.Fault.allCases)
        config.seed = 5
        let first = try await Simulation(config).run()
        let again = try await Simulation(config).run()
        config.seed = 6
        let other = try await Simulation(config).run()
        #expect(
            first.passed && again.passed && other.passed, "\(first.violations + again.violations + other.violations)")
        #expect(first.stateDigest == again.stateDigest, "ids, timestamps and the order of syncs follow from the seed")
        #expect(first.stateDigest != other.stateDigest)
        #expect(first.injected == again.injected && first.acknowledged == again.acknowledged)
    }
}
