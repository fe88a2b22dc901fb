import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync visits [--today | --week] [--by rep|customer]`.
struct Visits: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Visits completed versus planned, with the completion rate, by rep or by customer.",
        discussion: "Example: fieldsync visits --week --by customer")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "This week, Monday to Sunday in this laptop's days (the default).") var week = false
    @Flag(help: "Today only.") var today = false
    @Option(help: "Group by rep or customer.") var by = "rep"

    func validate() throws {
        if !["rep", "customer"].contains(by.lowercased()) {
            throw ValidationError("--by takes rep or customer; got '\(by.prefix(40))'.")
        }
        if week && today { throw ValidationError("Give --today or --week, not both.") }
    }

    func run() throws {
        let store = try global.store()
        let (start, end) = today ? global.time.today() : global.time.thisWeek()
        let byCustomer = by.lowercased() == "customer"
        let rows = Reports.visits(
            try store.records(.visit).compactMap { Reports.VisitFacts($0.state) }, from: start, to: end,
            byCustomer: byCustomer)
        if global.json { return try global.printJSON(rows) }
        let display = global.display(store)
        print(
            "Visits planned \(today ? "today" : "this week") (\(global.time.text(utc: start)) to \(global.time.text(utc: end))):"
        )
        if rows.isEmpty {
            print("none.")
        } else {
            let (planned, completed, notDone) = (
                rows.map(\.planned).reduce(0, +), rows.map(\.completed).reduce(0, +), rows.map(\.notDone).reduce(0, +)
            )
            printTable(
                [byCustomer ? "CUSTOMER" : "REP", "PLANNED", "COMPLETED", "CANCELLED/MISSED", "DONE"],
                rows.map { row in
                    [
                        byCustomer ? display.name(.text(row.customer ?? "")) : row.rep ?? "", "\(row.planned)",
                        "\(row.completed)", "\(row.notDone)", "\(row.completionRate)%",
                    ]
                } + [["TOTAL", "\(planned)", "\(completed)", "\(notDone)", "\(completed * 100 / planned)%"]])
        }
        print(try ReportNote.lastSynced(store, time: global.time))
    }
}
