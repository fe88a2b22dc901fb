import ArgumentParser
import FieldSyncCommandLine

/// `fieldsync-sim`: simulates a sales team syncing through faults and checks that nothing is lost.
@main
struct FieldSyncSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldsync-sim",
        abstract: "Simulate reps and managers editing offline and syncing through faults; check nothing is lost.",
        discussion: """
            Each rep is a real client (its own local SQLite replica, pending queue and sync engine) talking HTTP to \
            a real server (laptops are dealt to the --server nodes in turn); without --server the simulator starts one itself on the embedded database (or on --db). \
            At the end it checks that every laptop equals the server for what its user may see, that every \
            acknowledged edit is kept or superseded by one that saw it, that refused edits are listed on their \
            laptops, that nothing was applied twice and that the domain rules hold. It exits 1 on any violation \
            and prints the seed that replays the run. Against the embedded server a run follows from its seed alone \
            (ids, timestamps and the order of syncs; the report's final state digest shows it); --record writes it \
            as a scenario file, and a failing run also writes the shortest scenario that still fails. \
            \(CommandLineTool.exitCodes)

            Example: fieldsync-sim --reps 30 --days 5 --faults drop,dup,kill --seed 42 --record run.yaml
            """,
        version: CommandLineTool.version(of: "fieldsync-sim"), subcommands: [Simulate.self, RunScenarios.self],
        defaultSubcommand: Simulate.self)

    /// Runs the simulation with FieldSync's exit codes: 0 passed, 1 failed or could not run, 2 usage error.
    static func main() async {
        await CommandLineTool.main(Self.self)
    }
}
