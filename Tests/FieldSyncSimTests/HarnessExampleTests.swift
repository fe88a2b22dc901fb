import FieldSyncSim
import Foundation
import Testing

/// The harness author's example from the README, run as written (a test below checks the README still shows it).
@Suite struct HarnessExampleTests {
    // README example begins
    @Test func aStageConflictIsSettledByTheManager() async throws {
        var sees = Scenario.Expectation()
        (sees.laptop, sees.record, sees.field, sees.value) = ("carl", "deal", "stage", "closing")
        let scenario = Scenario(
            name: "Two reps move one deal offline; the manager settles it",
            team: [
                .init(user: "ana", role: .rep, team: "north", territories: ["east"]),
                .init(user: "carl", role: .rep, team: "north", territories: ["east"]),
                .init(user: "mia", role: .manager, team: "north"),
            ],
            steps: [
                .init(
                    .add(
                        laptop: "ana", entity: .customer, alias: "tea",
                        fields: ["name": "杭州西湖茶业", "territory": "east"], tags: [])),
                .init(
                    .add(
                        laptop: "ana", entity: .opportunity, alias: "deal",
                        fields: ["customer": "tea", "title": "春茶", "stage": "prospecting"], tags: [])),
                .init(.sync(["ana", "carl", "mia"])),
                .init(.edit(laptop: "ana", record: "deal", fields: ["stage": "presenting"], tags: [], untags: [])),
                .init(.fault(laptop: "ana", .init(.drop))),  // the server takes Ana's push, the answer is lost
                .init(.edit(laptop: "carl", record: "deal", fields: ["stage": "qualifying"], tags: [], untags: [])),
                .init(.sync(["ana", "carl", "ana", "mia"])),
                .init(.edit(laptop: "mia", record: "deal", fields: ["stage": "closing"], tags: [], untags: [])),
                .init(.sync(["mia", "carl"])),
                .init(.expect(sees)),
                .init(.check),  // everyone syncs until quiet: all laptops equal the server, nothing lost
            ])
        let report = try await ScenarioRunner(scenario).run()
        #expect(report.passed, "\(report.text)")
    }
    // README example ends

    @Test func theReadmeShowsThisExample() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let readme = try String(
            contentsOf: ScenarioTests.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        let begin = lines.firstIndex { $0.hasSuffix("// README example begins") }!
        let end = lines.firstIndex { $0.hasSuffix("// README example ends") }!
        // Indented as a README list item's code block: two spaces where the test has four.
        let example = lines[(begin + 1)..<end].map { $0.hasPrefix("    ") ? "  " + $0.dropFirst(4) : $0 }
        #expect(
            readme.contains(example.joined(separator: "\n")), "README.md must show the example as this test runs it")
    }
}
