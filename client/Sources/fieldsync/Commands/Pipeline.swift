import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync pipeline [--by stage|rep]`.
struct Pipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The merged pipeline: count, amount and weighted forecast.",
        discussion: "Example: fieldsync pipeline --by rep")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Group by stage or rep.") var by: Grouping = .stage

    enum Grouping: String, ExpressibleByArgument, CaseIterable { case stage, rep }

    func run() throws {
        let rows = Reports.pipeline(try global.store().records(.opportunity).map(\.state), byRep: by == .rep)
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
