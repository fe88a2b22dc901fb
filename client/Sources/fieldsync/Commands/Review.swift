import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync review --stale-days N`.
struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Customer cards not updated for N days.", discussion: "Example: fieldsync review --stale-days 30")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Days without an update.") var staleDays = 30

    func run() throws {
        let stale = Reports.stale(
            try global.store().records(.customer), state: \.state, days: staleDays,
            nowMs: LocalStore.systemMilliseconds())
        if global.json {
            return try global.printJSON(
                stale.map { ["id": $0.record.id.rawValue, "lastUpdate": LocalTime.utc.text(ms: $0.lastMs)] })
        }
        if stale.isEmpty { return print("Every card was updated in the last \(staleDays) days.") }
        printTable(
            ["ID", "NAME", "OWNER", "LAST UPDATE"],
            stale.map {
                [
                    $0.record.id.rawValue, RecordOutput.text($0.record.state.value("name")),
                    RecordOutput.text($0.record.state.value("owner")), global.time.text(ms: $0.lastMs),
                ]
            })
    }
}
