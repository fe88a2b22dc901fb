import ArgumentParser
import FieldSyncCommandLine
import FieldSyncModel
import FieldSyncSim
import Foundation

/// `fieldsync-sim run FILE|DIR…`: scripted scenarios, each against a fresh in-process server.
struct RunScenarios: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenario files (YAML or JSON): a team, a timeline of steps and what each laptop must show.",
        discussion: """
            Each scenario runs against a fresh server in this process (or against running nodes: --server and \
            --db), with a real local store and sync engine per laptop. A failed expectation prints the step, what it expected and what was seen; the run exits 1 if \
            any scenario failed. protocol/SCENARIOS.md describes the format; sim/scenarios/ holds examples.

            Example: fieldsync-sim run sim/scenarios --report junit scenarios.xml
            """)

    @Argument(help: "Scenario files, or folders of them (*.yaml, *.yml, *.json).") var paths: [String] = []
    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Also write JUnit XML (one test case per scenario) to FILE.", valueName: "junit FILE"))
    var report: [String] = []
    @Flag(help: "Print the reports as JSON.") var json = false
    @Option(
        help: ArgumentHelp(
            "If a scenario fails, write the shortest version of it that still fails to FILE.", valueName: "file"))
    var shrink: String?
    @Option(help: "Seconds shrinking may take.") var shrinkSeconds = 300.0
    @Option(help: "Running fieldsync-server nodes to use, comma-separated (then --db must be their database).")
    var server: String?
    @Option(
        help: ArgumentHelp("With --server: its database, SQLite file or postgres:// URL.", valueName: "path-or-url"))
    var db: String?

    /// The scenario paths, wherever they were written: words after `--report junit FILE` are paths too.
    var allPaths: [String] { paths + report.dropFirst(2) }

    func validate() throws {
        if !report.isEmpty && (report.count < 2 || report[0] != "junit") {
            throw ValidationError("--report takes junit and a file name: --report junit scenarios.xml")
        }
        if allPaths.isEmpty { throw ValidationError("Name a scenario file or a folder of them.") }
        guard shrinkSeconds >= 0 else { throw ValidationError("--shrink-seconds is 0 or more.") }
        if (server == nil) != (db == nil) {
            throw ValidationError(
                "--server and --db go together: the runner adds the team's accounts to the servers' database.")
        }
        if server != nil && shrink != nil {
            throw ValidationError("--shrink runs a scenario many times on a server of its own: leave out --server.")
        }
    }

    func run() async throws {
        var files: [String] = []
        for path in allPaths {
            var folder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &folder) else {
                throw CommandFailure("No scenario at \(path): check the path.")
            }
            if folder.boolValue {
                files += try FileManager.default.contentsOfDirectory(atPath: path).filter { name in
                    [".yaml", ".yml", ".json"].contains { name.hasSuffix($0) }
                }.sorted().map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        if files.isEmpty {
            throw CommandFailure("No scenario files (*.yaml, *.yml, *.json) in \(allPaths.joined(separator: ", ")).")
        }
        var reports: [ScenarioRunner.Report] = []
        for file in files {
            let scenario: Scenario
            do {
                scenario = try Scenario.load(file)
            } catch let error as SimulationError {
                throw CommandFailure(error.description)
            }
            let runner =
                if let server, let db {
                    ScenarioRunner(scenario, servers: server.split(separator: ",").map(String.init), database: db)
                } else {
                    ScenarioRunner(scenario)
                }
            let result = try await runner.run()
            if !json { print(result.text) }
            reports.append(result)
        }
        if json { try CommandLineTool.printJSON(reports) }
        if report.count >= 2 { try Self.junit(reports).write(toFile: report[1], atomically: true, encoding: .utf8) }
        if let shrink, let first = zip(files, reports).first(where: { !$0.1.passed }) {
            let scenario = try Scenario.load(first.0)
            CommandLineTool.printError("fieldsync-sim: shrinking \(first.0) (up to \(Int(shrinkSeconds)) s)…")
            let result = try await ScenarioShrinker(seconds: shrinkSeconds).shrink(scenario)
            if result.failed {
                try Simulate.write(result.scenario, to: shrink)
                CommandLineTool.printError(
                    "fieldsync-sim: the shortest failing version (\(counted(result.scenario.steps.count, "step"))) is in"
                        + " \(shrink)")
            } else {
                CommandLineTool.printError(
                    "fieldsync-sim: \(first.0) failed only at a step it could not carry out; nothing to shrink")
            }
        }
        let failed = reports.filter { !$0.passed }.count
        if failed > 0 { throw CommandFailure("\(counted(failed, "scenario")) of \(reports.count) failed.") }
    }

    /// JUnit XML: one suite, one test case per scenario, a failure per expectation that did not hold.
    static func junit(_ reports: [ScenarioRunner.Report]) -> String {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let failures = reports.filter { !$0.passed }.count
        let time = reports.map(\.seconds).reduce(0, +)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml +=
            "<testsuite name=\"fieldsync-sim\" tests=\"\(reports.count)\" failures=\"\(failures)\" time=\"\(time)\">\n"
        for report in reports {
            xml += "  <testcase classname=\"scenarios\" name=\"\(escaped(report.name))\" time=\"\(report.seconds)\">"
            for failure in report.failures {
                xml += "\n    <failure message=\"step \(failure.step): \(escaped(failure.seen))\">"
                xml += escaped(failure.text) + "</failure>"
            }
            xml += report.passed ? "</testcase>\n" : "\n  </testcase>\n"
        }
        return xml + "</testsuite>\n"
    }
}
