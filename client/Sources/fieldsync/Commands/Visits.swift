import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync visits --week --by rep`.
struct Visits: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Visits completed versus planned, by rep.", discussion: "Example: fieldsync visits --week --by rep")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "This week (the default).") var week = false
    @Flag(help: "Today only.") var today = false
    @Option(help: "Group by (rep).") var by = "rep"

    func validate() throws { if by != "rep" { throw ValidationError("--by takes rep.") } }

    func run() throws {
        let (start, end) = today ? global.time.today() : global.time.thisWeek()
        let rows = Reports.visits(try global.store().records(.visit).map(\.state), from: start, to: end)
        if global.json { return try global.printJSON(rows) }
        printTable(
            ["REP", "PLANNED", "COMPLETED", "CANCELLED/MISSED"],
            rows.map { [$0.rep, "\($0.planned)", "\($0.completed)", "\($0.notDone)"] })
    }
}
