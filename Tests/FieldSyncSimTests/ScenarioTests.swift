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
            ["run", Self.fixtures + "/failing-among-noise.yaml", "--shrink", shrunk, "--shrink-seconds", "120"])
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

    @Test func theShippedScenariosRunAgainstARunningServer() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scenarios-serve-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("server.sqlite").path
        let server = try await BinaryRunner.Server(db: db)
        defer { server.stop() }
        let scenarios = Self.repository.appendingPathComponent("sim/scenarios").path
        // Restarts and restores need the server the runner starts itself; the scenarios share the server's data, so
        // those counting a pipeline (which would count the others' deals too) are left to their own servers.
        let files = try FileManager.default.contentsOfDirectory(atPath: scenarios).sorted().filter { name in
            let text = (try? String(contentsOfFile: scenarios + "/" + name, encoding: .utf8)) ?? ""
            return name.hasSuffix(".yaml") && !text.contains("pipeline:")
                && !["restart", "backup", "restore"].contains { text.contains("{server: \($0)}") }
        }
        #expect(files.count >= 7)
        let run = try BinaryRunner.run(
            "fieldsync-sim", ["run", "--server", server.url, "--db", db] + files.map { scenarios + "/" + $0 })
        testOutput(run.output)
        #expect(run.status == 0, "\(run.output)\(run.error)")
        #expect(run.output.components(separatedBy: "PASSED").count - 1 == files.count, "\(run.output)")
        let restart = try BinaryRunner.run(
            "fieldsync-sim",
            ["run", "--server", server.url, "--db", db, scenarios + "/07-tags-merge-and-a-restart.yaml"])
        #expect(
            restart.status == 1 && restart.output.contains("needs the server this process runs"), "\(restart.output)")
    }

    @Test func everyShippedScenarioReadsBackAsWritten() throws {
        let scenarios = Self.repository.appendingPathComponent("sim/scenarios").path
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("written-\(UUID()).yaml").path
        defer { try? FileManager.default.removeItem(atPath: copy) }
        for name in try FileManager.default.contentsOfDirectory(atPath: scenarios).sorted() {
            let scenario = try Scenario.load(scenarios + "/" + name)
            try scenario.yaml.write(toFile: copy, atomically: true, encoding: .utf8)
            let again = try Scenario.load(copy)
            #expect(again.name == scenario.name && again.seed == scenario.seed, "\(name)")
            #expect(again.team.map(\.user) == scenario.team.map(\.user), "\(name)")
            #expect(again.data.map(\.text) == scenario.data.map(\.text), "\(name)")
            #expect(again.steps.map(\.text) == scenario.steps.map(\.text), "\(name)")
        }
    }
}
