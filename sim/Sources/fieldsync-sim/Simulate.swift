import ArgumentParser
import FieldSyncCommandLine
import FieldSyncModel
import FieldSyncSim
import Foundation

/// `fieldsync-sim [simulate]`: a seeded random sales team, checked for nothing lost (the default subcommand).
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a seeded sales team editing offline and syncing through faults (the default).",
        discussion: FieldSyncSimCommand.configuration.discussion)

    @Option(help: "Simulated reps (three to a territory).") var reps = 20
    @Option(help: "Simulated managers (one per team).") var managers = 2
    @Option(help: "Simulated working days.") var days = 3
    @Option(help: "Seed for every random choice (default: a fresh one, printed).") var seed: UInt64?
    @Option(help: "Running fieldsync-server nodes to use, comma-separated (then --db must be their database).")
    var server: String?
    @Option(
        help: ArgumentHelp("The server's database: SQLite file or postgres:// URL.", valueName: "path-or-url"))
    var db: String?
    @Option(help: "Faults to inject, comma-separated: drop, dup, kill, skew, restart, clone, restore, clockfix.")
    var faults = ""
    @Option(help: "Share of rep edits on the records a territory shares (0–1).") var hotShare = 0.3
    @Option(help: "Edits per rep per day.") var editsPerDay = 8
    @Option(
        help: ArgumentHelp(
            "Percent of laptops on the previous release (its schema version); half of them upgrade midway.",
            valueName: "percent"))
    var oldRelease = 20
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Keep the run's folder (the server's database, every laptop's replica) and say where it is.")
    var keep = false
    @Option(
        help: ArgumentHelp(
            "Write the run as a scenario file; if it fails, also the shortest failing one (FILE-shrunk.yaml).",
            valueName: "file"))
    var record: String?
    @Option(help: "Seconds shrinking a failing run may take.") var shrinkSeconds = 300.0
    @Flag(help: "Laptops of a round sync at the same moment (the order is then the machine's, not the seed's).")
    var concurrent = false

    func validate() throws {
        guard reps >= 1, days >= 1, managers >= 0 else {
            throw ValidationError("--reps and --days must be at least 1, --managers at least 0.")
        }
        guard (0...1).contains(hotShare) else { throw ValidationError("--hot-share is between 0 and 1.") }
        guard (0...100).contains(oldRelease) else { throw ValidationError("--old-release is a percent, 0 to 100.") }
        do { _ = try SimulationConfig.faults(faults) } catch { throw ValidationError("\(error)") }
        if server != nil && db == nil {
            throw ValidationError(
                "With --server, give that server's database with --db: the simulator adds its accounts there.")
        }
        for fault in ["restart", "restore"] where faults.contains(fault) && server != nil {
            throw ValidationError("The \(fault) fault needs the embedded server: leave out --server to use it.")
        }
        if record != nil && concurrent {
            throw ValidationError("--record writes a run whose syncs take turns: leave out --concurrent.")
        }
        guard shrinkSeconds >= 0 else { throw ValidationError("--shrink-seconds is 0 or more.") }
    }

    func run() async throws {
        var config = SimulationConfig()
        config.reps = reps
        config.managers = managers
        config.days = days
        config.seed = seed ?? UInt64.random(in: 1...999_999_999)
        config.servers = server?.split(separator: ",").map(String.init) ?? []
        config.database = db
        config.faults = try SimulationConfig.faults(faults)
        config.hotShare = hotShare
        config.editsPerDay = editsPerDay
        config.oldRelease = oldRelease
        config.concurrent = concurrent
        if keep {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "fieldsync-sim-\(config.seed)-kept-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            config.workDirectory = folder.path
            CommandLineTool.printError("fieldsync-sim: keeping the run's files in \(folder.path)")
        }
        let quiet = json
        let log: @Sendable (String) -> Void = { line in
            if !quiet { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        }
        let report: SimulationReport
        var scenario: Scenario?
        do {
            if record != nil {
                (report, scenario) = try await Simulation(config).runRecorded(log: log)
            } else {
                report = try await Simulation(config).run(log: log)
            }
        } catch {
            throw CommandFailure("The simulation could not run (seed \(config.seed)): \(error)")
        }
        if json {
            try CommandLineTool.printJSON(report)
        } else {
            print(report.text)
        }
        if let record, let scenario {
            try Self.write(scenario, to: record)
            CommandLineTool.printError(
                "fieldsync-sim: the run is written as a scenario in \(record) (\(counted(scenario.steps.count, "step")));"
                    + " replay it with: fieldsync-sim run \(record)")
            if !report.passed {
                let shrunk = Self.shrunkPath(record)
                CommandLineTool.printError("fieldsync-sim: shrinking the failing run (up to \(Int(shrinkSeconds)) s)…")
                let result = try await ScenarioShrinker(seconds: shrinkSeconds).shrink(scenario, log: log)
                try Self.write(result.scenario, to: shrunk)
                CommandLineTool.printError(
                    "fieldsync-sim: the shortest failing scenario found (\(counted(result.scenario.steps.count, "step")),"
                        + " \(counted(result.runs, "run"))) is in \(shrunk)")
            }
        }
        if !report.passed { throw ExitCode(1) }
    }

    /// Writes a scenario file.
    static func write(_ scenario: Scenario, to path: String) throws {
        do {
            try scenario.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CommandFailure("Cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// `run.yaml` → `run-shrunk.yaml`.
    static func shrunkPath(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.isEmpty ? "yaml" : url.pathExtension
        return url.deletingPathExtension().path + "-shrunk." + ext
    }
}
