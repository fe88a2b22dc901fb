import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync pipeline [--by stage|rep|territory|month …] [--closing PERIOD] [--since AGE]`.
struct Pipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The merged pipeline: open deals with totals and weighted forecast, closed deals and win rate.",
        discussion: """
            Open deals are grouped by --by (stage unless given; several combine, e.g. --by rep --by stage or \
            --by rep,stage), with a total; closed deals (won, lost) follow with the win rate. --closing keeps the \
            deals expected to close in a period; --since keeps those created or moved to their stage since then.

            Example: fieldsync pipeline --by rep --by stage --closing this-quarter
            """)
    @OptionGroup var global: GlobalOptions
    @Option(
        help: ArgumentHelp(
            "Group by stage, rep, territory or month (of the close date); repeat or list with commas to combine."))
    var by: [String] = []
    @Option(
        help: ArgumentHelp(
            "Only deals expected to close in a period: this-month, next-month, this-quarter, next-quarter, this-year,"
                + " 2026-12 or 2027-Q1."))
    var closing: String?
    @Option(help: "Only deals created or moved to their stage since: 7d, 2w, 24h, or a date (2026-12-01).")
    var since: String?

    /// The dimensions `--by` names, in order (stage when none).
    func dimensions() throws -> [PipelineDimension] {
        let names = by.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let dimensions = try names.map { name in
            guard let dimension = PipelineDimension(rawValue: name) else {
                throw ValidationError("--by takes stage, rep, territory or month; got '\(name.prefix(40))'.")
            }
            return dimension
        }
        return dimensions.isEmpty ? [.stage] : dimensions
    }

    func validate() throws {
        let dimensions = try dimensions()
        if Set(dimensions).count < dimensions.count { throw ValidationError("--by names a dimension twice.") }
        if let closing, global.time.period(closing) == nil {
            throw ValidationError(
                "--closing takes this-month, next-month, this-quarter, next-quarter, this-year, 2026-12 or 2027-Q1;"
                    + " got '\(closing.prefix(40))'.")
        }
        if let since, global.time.since(since) == nil {
            throw ValidationError("--since takes 7d, 2w, 24h or a date like 2026-12-01; got '\(since.prefix(40))'.")
        }
    }

    func run() throws {
        let store = try global.store()
        let dimensions = try dimensions()
        let period = closing.flatMap { global.time.period($0) }
        let cutoff = since.flatMap { global.time.since($0) }
        let deals = try store.records(.opportunity).compactMap { Reports.OpportunityFacts($0.state) }.filter { deal in
            if let period, !(deal.closeDate.map { $0 >= period.0 && $0 < period.1 } ?? false) { return false }
            if let cutoff, deal.movedMs < cutoff { return false }
            return true
        }
        let territories = Dictionary(
            try store.records(.customer).map { ($0.id.rawValue, $0.state.value("territory").text ?? "") }
        ) { first, _ in first }
        let rows = Reports.pipeline(deals, by: dimensions) { $0.flatMap { territories[$0] } }
        if global.json { return try global.printJSON(rows) }

        var heading = "Open deals"
        if let closing, let period { heading += " closing \(closing) (\(period.0) to \(period.1))" }
        if let since { heading += ", created or moved since \(since)" }
        let open = rows.filter { $0.outcome == "open" }
        let columns = dimensions.map { $0.rawValue.uppercased() }
        print("\(heading): \(counted(open.map(\.count).reduce(0, +), "deal"))")
        if !open.isEmpty {
            printTable(
                columns + ["COUNT", "AMOUNT", "WEIGHTED"],
                open.map { row in
                    dimensions.map { row.keys?[$0.rawValue] ?? "" }
                        + ["\(row.count)", Self.money(row.amount), Self.money(row.weighted)]
                } + [
                    ["TOTAL"] + Array(repeating: "", count: dimensions.count - 1) + [
                        "\(open.map(\.count).reduce(0, +))", Self.money(Self.sum(open.map(\.amount))),
                        Self.money(Self.sum(open.map(\.weighted))),
                    ]
                ])
        }
        let closed = rows.filter { $0.outcome != "open" }
        if !closed.isEmpty {
            let others = dimensions.filter { $0 != .stage }
            print("\nClosed deals")
            printTable(
                others.map { $0.rawValue.uppercased() } + ["OUTCOME", "COUNT", "AMOUNT"],
                closed.map { row in
                    others.map { row.keys?[$0.rawValue] ?? "" } + [
                        row.outcome ?? "", "\(row.count)", Self.money(row.amount),
                    ]
                })
            if let rate = Reports.winRate(closed) {
                let closedCount = closed.map(\.count).reduce(0, +)
                print(
                    "Win rate \(rate.byCount)% of \(counted(closedCount, "closed deal"))"
                        + (rate.byAmount.map { ", \($0)% of their amount" } ?? ""))
            }
        }
        print(try ReportNote.lastSynced(store, time: global.time))
    }

    /// Amounts by currency, summed.
    static func sum(_ amounts: [[String: Int64]]) -> [String: Int64] {
        amounts.reduce(into: [:]) { total, amount in total.merge(amount, uniquingKeysWith: +) }
    }

    /// `1,200,000.00 CNY + 3,000.00 EUR`.
    static func money(_ amounts: [String: Int64]) -> String {
        amounts.sorted { $0.key < $1.key }.map { RecordOutput.text(.money(Money(minor: $0.value, currency: $0.key))) }
            .joined(separator: " + ")
    }
}
