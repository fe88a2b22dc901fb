import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync pipeline [--by stage|rep]`.
struct Pipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The merged pipeline: count, amount and weighted forecast.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Group by stage or rep.") var by: Grouping = .stage

    enum Grouping: String, ExpressibleByArgument, CaseIterable { case stage, rep }

    func run() throws {
        let rows = Reports.pipeline(try global.store().records(.opportunity), byRep: by == .rep)
        if global.json { return try global.printJSON(rows) }
        func money(_ amounts: [String: Int64]) -> String {
            amounts.sorted { $0.key < $1.key }.map {
                RecordOutput.text(.money(Money(minor: $0.value, currency: $0.key)))
            }
            .joined(separator: " + ")
        }
        printTable(
            [by == .stage ? "STAGE" : "REP", "COUNT", "AMOUNT", "WEIGHTED"],
            rows.map { [$0.key, String($0.count), money($0.amount), money($0.weighted)] })
    }
}

/// `fieldsync review --stale-days N`.
struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Customer cards not updated for N days.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Days without an update.") var staleDays = 30

    func run() throws {
        let stale = Reports.stale(
            try global.store().records(.customer), days: staleDays, nowMs: LocalStore.systemMilliseconds())
        if global.json {
            return try global.printJSON(
                stale.map { ["id": $0.record.id.rawValue, "lastUpdate": RecordOutput.date($0.lastMs)] })
        }
        if stale.isEmpty { return print("Every card was updated in the last \(staleDays) days.") }
        printTable(
            ["ID", "NAME", "OWNER", "LAST UPDATE"],
            stale.map {
                [
                    $0.record.id.rawValue, RecordOutput.text($0.record.state.value("name")),
                    RecordOutput.text($0.record.state.value("owner")), RecordOutput.date($0.lastMs),
                ]
            })
    }
}

/// `fieldsync visits --week --by rep`.
struct Visits: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Visits completed versus planned, by rep.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "This week (the default).") var week = false
    @Flag(help: "Today only.") var today = false
    @Option(help: "Group by (rep).") var by = "rep"

    func validate() throws { if by != "rep" { throw ValidationError("--by takes rep.") } }

    func run() throws {
        let (start, end) = today ? DateRange.today() : DateRange.thisWeek()
        let rows = Reports.visits(try global.store().records(.visit), from: start, to: end)
        if global.json { return try global.printJSON(rows) }
        printTable(
            ["REP", "PLANNED", "COMPLETED", "CANCELLED/MISSED"],
            rows.map { [$0.rep, "\($0.planned)", "\($0.completed)", "\($0.notDone)"] })
    }
}
