import FieldSyncModel
import FieldSyncSim
import Foundation
import TestSupport
import Testing

/// `fieldsync-sim run`: the shipped scenarios pass through the real binary with a JUnit report; a failing one names
/// the step, what it expected and what was seen; a misspelled key is refused; the library runs a scenario built in
/// code.
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
        #expect(shipped.count >= 7)
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

    @Test func aScenarioBuiltInCodeRunsThroughTheLibrary() async throws {
        var expectation = Scenario.Expectation()
        expectation.laptop = "carl"
        expectation.record = "tea"
        expectation.field = "phone"
        expectation.value = "0571-1"
        let scenario = Scenario(
            name: "In code",
            team: [
                .init(user: "ana", role: .rep, team: "north", territories: ["east"]),
                .init(user: "carl", role: .rep, team: "north", territories: ["east"]),
            ],
            steps: [
                .init(
                    .add(
                        laptop: "ana", entity: .customer, alias: "tea",
                        fields: ["name": "杭州西湖茶业", "territory": "east", "phone": "0571-1"], tags: []),
                    text: "ana adds tea"),
                .init(.sync(["ana", "carl"]), text: "both sync"),
                .init(.expect(expectation), text: "carl sees the phone"),
            ])
        let report = try await ScenarioRunner(scenario).run()
        #expect(report.passed, "\(report.text)")
        #expect(report.expectations == 1)
    }
}
