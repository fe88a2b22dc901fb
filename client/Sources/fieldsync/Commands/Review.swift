import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync review [--stale-days N]`: what a manager follows up on Monday.
struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What needs a follow-up: stale customer cards, open deals not moved, complaints past their due date.",
        discussion: """
            A card is stale when nothing on it changed for --stale-days; an open deal when its stage has not moved \
            for --stale-days; a complaint is overdue when it is open past its due date. Each with its owner (a \
            complaint's is its customer's).

            Example: fieldsync review --stale-days 30 --owner ana
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Days without an update (cards) or a stage move (deals).") var staleDays = 30
    @Option(help: "Only this rep's.") var owner: String?

    func validate() throws { if staleDays < 0 { throw ValidationError("--stale-days takes 0 or more.") } }

    /// One thing to follow up (`review --json`; protocol/cli/review.json).
    struct Item: Encodable {
        let id: String
        let lastUpdate: String
        let kind: String
        let name: String
        let owner: String
        let due: String?
        /// When it last changed, for the table (JSON has `lastUpdate`, in UTC).
        let lastMs: Int64

        private enum CodingKeys: String, CodingKey { case id, lastUpdate, kind, name, owner, due }
    }

    func run() throws {
        let store = try global.store()
        let now = LocalStore.systemMilliseconds()
        let names = RecordNames(store: store, time: global.time)
        let customers = try store.records(.customer)
        let owners = Dictionary(customers.map { ($0.id.rawValue, $0.state.value("owner").text ?? "") }) { a, _ in a }
        var items: [Item] = []
        for (record, lastMs) in Reports.stale(customers, state: \.state, days: staleDays, nowMs: now) {
            items.append(Self.item(record, "stale card", lastMs, names, owner: owners[record.id.rawValue] ?? ""))
        }
        let deals = try store.records(.opportunity).compactMap { record in
            Reports.OpportunityFacts(record.state).flatMap { $0.isClosed ? nil : (record, $0) }
        }
        for (deal, movedMs) in Reports.stale(deals, lastChangeMs: \.1.movedMs, days: staleDays, nowMs: now) {
            items.append(Self.item(deal.0, "stale deal", movedMs, names, owner: deal.1.owner ?? ""))
        }
        let today = global.time.date("today") ?? ""
        for complaint in try store.records(.complaint) {
            let step = complaint.state.value("step").text ?? "recorded"
            guard let due = complaint.state.value("dueDate").text, due < today,
                !["evaluated", "rejected"].contains(step)
            else { continue }
            let customer = complaint.state.value("customer").text ?? ""
            items.append(
                Self.item(
                    complaint, "overdue complaint", Reports.lastChangeMs(complaint.state), names,
                    owner: owners[customer] ?? "", due: due))
        }
        if let owner { items = items.filter { $0.owner == owner } }
        if global.json { return try global.printJSON(items) }
        if items.isEmpty {
            print(
                "Nothing to follow up: every card and open deal moved in the last \(staleDays) days, no complaint is overdue."
            )
        } else {
            printTable(
                ["WHAT", "NAME", "OWNER", "LAST CHANGE", "DUE", "ID"],
                items.map { [$0.kind, $0.name, $0.owner, global.time.text(ms: $0.lastMs), $0.due ?? "", $0.id] })
        }
        print(try ReportNote.lastSynced(store, time: global.time))
    }

    private static func item(
        _ record: LocalRecord, _ kind: String, _ lastMs: Int64, _ names: RecordNames, owner: String, due: String? = nil
    ) -> Item {
        Item(
            id: record.id.rawValue, lastUpdate: LocalTime.utc.text(ms: lastMs), kind: kind,
            name: names.name(of: record),
            owner: owner, due: due, lastMs: lastMs)
    }
}
