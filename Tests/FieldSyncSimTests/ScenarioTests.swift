import FieldSyncModel
import FieldSyncSim
import Foundation
import TestSupport
import Testing

/// `fieldsync-sim run`: the shipped scenarios pass through the real binary with a JUnit report; a failing one names
/// the step, what it expected and what was seen, and shrinks to the steps that make it fail; a misspelled key is
/// refused; a random run is written as a scenario that replays.
@Suite struct ScenarioTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/FieldSyncSimTests/Fixtures").path

    @Test func theShippedScenariosPass() throws {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("scenarios-\(UUID()).xml").path
        defer { try? FileManager.default.removeItem(atPath: report) }
        let scenarios = Self.repository.appendingPathComponent("sim/scenarios").path
        let run = try BinaryRunner.run("fieldsync-sim", ["run", "--report", "junit", report, scenarios])
        testOutput(run.output)
        #expect(run.status == 0, "\(run.output)\(run.error)")
        let shipped = try FileManager.default.contentsOfDirectory(atPath: scenarios).filter { $0.hasSuffix(".yaml") }
        #expect(shipped.count >= 10)
        let xml = try String(contentsOfFile: report, encoding: .utf8)
        #expect(xml.contains("tests=\"\(shipped.count)\" failures=\"0\""), "\(xml.prefix(300))")
    }

    @Test func aFailingScenarioSaysWhichStepAndWhatWasSeen() throws {
        let run = try BinaryRunner.run("fieldsync-sim", ["run", Self.fixtures + "/failing-scenario.yaml"])
        #expect(run.status == 1)
        #expect(run.output.contains("FAILED") && run.output.contains("step 2:"), "\(run.output)")
        #expect(run.output.contains("saw: tea.name is '杭州西湖茶业' on ana's laptop"), "\(run.output)")
        #expect(run.output.contains("saw: ana's laptop has 1 edit pending"), "\(run.output)")
        #expect(run.error.contains("1 scenario of 1 failed"), "\(run.error)")
        let misspelled = try BinaryRunner.run("fieldsync-sim", ["run", Self.fixtures + "/misspelled-scenario.yaml"])
        #expect(misspelled.status == 1 && misspelled.error.contains("'sett'"), "\(misspelled.error)")
        let missing = try BinaryRunner.run("fieldsync-sim", ["run", Self.fixtures + "/no-such.yaml"])
        #expect(missing.status == 1 && missing.error.contains("No scenario at"), "\(missing.error)")
    }

    @Test func aRandomRunIsWrittenAsAScenarioThatReplays() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recorded-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("run.yaml").path
        let run = try BinaryRunner.run(
            "fieldsync-sim",
            [
                "--reps", "4", "--managers", "1", "--days", "1", "--seed", "8", "--record", file, "--faults",
                "drop,dup,kill,skew,restart,clone,restore,clockfix",
            ])
        #expect(run.status == 0, "\(run.output)\(run.error)")
        #expect(run.error.contains("replay it with: fieldsync-sim run \(file)"), "\(run.error)")
        let written = try String(contentsOfFile: file, encoding: .utf8)
        for step in ["fault: ", "{copy: ", "{server: restore}", "{clock: ", "{wait: ", "{check: nothing-lost}"] {
            #expect(written.contains(step), "the recorded run has no \(step) step")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run-shrunk.yaml").path))
        let replay = try BinaryRunner.run("fieldsync-sim", ["run", file])
        #expect(replay.status == 0, "\(replay.output)\(replay.error)")
        #expect(replay.output.contains("PASSED"), "\(replay.output)")
    }

    @Test func aFailingScenarioShrinksToTheStepsThatMakeItFail() throws {
        let shrunk = FileManager.default.temporaryDirectory.appendingPathComponent("shrunk-\(UUID()).yaml").path
        defer { try? FileManager.default.removeItem(atPath: shrunk) }
        let run = try BinaryRunner.run(
            "fieldsync-sim",
            ["run", Self.fixtures + "/failing-among-noise.yaml", "--shrink", shrunk, "--shrink-limit", "120"])
        #expect(run.status == 1)
        #expect(run.error.contains("the shortest failing version"), "\(run.error)")
        let scenario = try Scenario.load(shrunk)
        testOutput(scenario.yaml)
        #expect(scenario.team.map(\.user) == ["ana", "carl"], "dora and mia have nothing to do with the failure")
        #expect(scenario.steps.count <= 5, "\(scenario.yaml)")
        let again = try BinaryRunner.run("fieldsync-sim", ["run", shrunk])
        #expect(
            again.status == 1 && again.output.contains("saw: tea.phone is '0571-1' on carl's laptop"), "\(again.output)"
        )
    }
}
