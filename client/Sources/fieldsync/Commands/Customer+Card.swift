import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

extension Customer {
    /// `fieldsync customer show CUSTOMER`: the customer card (客户资料卡) a rep reads before a visit.
    struct Card: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "The customer card: fields, contacts, open deals, visits, open complaints, last notes.",
            discussion: "Example: fieldsync customer show 杭州西湖茶业")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id, unique id prefix, or exact name.") var customer: String
        @Option(help: "How many recent visits and notes to show.") var recent = 5

        func validate() throws { if recent < 1 { throw ValidationError("--recent takes 1 or more.") } }

        func run() throws {
            let store = try global.store()
            let id = try global.resolve(customer, .customer, in: store)
            guard let record = try store.record(id) else { throw ClientError.noSuchRecord(customer) }
            let card = try CustomerCard(record, store: store, now: ValueParser.utc(Date()), recent: recent)
            if global.json { return try global.printJSON(card.json(schema: store.schema)) }
            let display = global.display(store)
            RecordOutput.show(record, schema: store.schema, display: display)
            func section(_ title: String, _ records: [LocalRecord], _ columns: [String]) {
                guard !records.isEmpty else { return }
                print("\n\(title) (\(records.count))")
                let specs = columns.map { store.schema[records[0].entity][$0] }
                printTable(
                    ["  ID"] + columns.map { $0.uppercased() },
                    records.map { record in
                        ["  " + record.id.rawValue + (record.pending ? "*" : "")]
                            + zip(columns, specs).map { display.text(record.state.value($0), field: $1) }
                    })
            }
            section("contacts", card.contacts, ["name", "title", "role", "phone", "email"])
            section("open opportunities", card.openDeals, ["title", "stage", "amount", "closeDate", "owner"])
            section("upcoming visits", card.upcoming, ["plannedAt", "rep", "purpose"])
            section("recent visits", card.recent, ["plannedAt", "status", "rep", "outcome", "nextStep"])
            section(
                "open complaints", card.openComplaints, ["category", "step", "dueDate", "department", "description"])
            if !card.notes.isEmpty {
                print("\nlast notes")
                for note in card.notes {
                    print("  \(display.time.text(ms: note.atMs)) \(note.author) on \(note.on): \(note.text)")
                }
            }
        }
    }
}

/// What the customer card holds besides the card itself, gathered from this laptop's records.
struct CustomerCard {
    /// A note on the customer or one of its records.
    struct Note: Encodable {
        let on: String
        let author: String
        let atMs: Int64
        let text: String
    }
    let customer: LocalRecord
    let contacts: [LocalRecord]
    let openDeals: [LocalRecord]
    let upcoming: [LocalRecord]
    let recent: [LocalRecord]
    let openComplaints: [LocalRecord]
    let notes: [Note]

    /// Gathers the card of `customer`; `now` (stored UTC form) splits upcoming from recent visits.
    init(_ customer: LocalRecord, store: LocalStore, now: String, recent count: Int) throws {
        self.customer = customer
        let mine = { (record: LocalRecord) in record.state.value("customer") == .text(customer.id.rawValue) }
        contacts = try store.records(.contact).filter(mine)
        openDeals = try store.records(.opportunity).filter(mine).filter {
            !(OpportunityStage.named(Reports.stage(of: $0.state))?.isTerminal ?? false)
        }.sorted { ($0.state.value("closeDate").text ?? "~") < ($1.state.value("closeDate").text ?? "~") }
        let visits = try store.records(.visit).filter(mine).sorted {
            ($0.state.value("plannedAt").text ?? "") < ($1.state.value("plannedAt").text ?? "")
        }
        let isUpcoming = { (visit: LocalRecord) in
            visit.state.value("status") == .text("planned") && (visit.state.value("plannedAt").text ?? "") >= now
        }
        upcoming = visits.filter(isUpcoming)
        recent = Array(visits.filter { !isUpcoming($0) }.suffix(count).reversed())
        let complaints = try store.records(.complaint).filter(mine)
        openComplaints = complaints.filter { !["evaluated", "rejected"].contains($0.state.value("step").text ?? "") }
        let names = RecordNames(store: store, time: .utc)
        notes = Array(
            ([customer] + contacts + openDeals + visits + complaints).flatMap { record in
                record.state.notes.map {
                    Note(on: names.name(of: record), author: $0.author, atMs: $0.hlc.wallMs, text: $0.text)
                }
            }.sorted { $0.atMs > $1.atMs }.prefix(count))
    }

    /// The card as `--json` prints it (protocol/cli/card.json).
    func json(schema: Schema) -> CardJSON {
        let records = { (list: [LocalRecord]) in list.map { RecordJSON($0, schema: schema) } }
        return CardJSON(
            customer: RecordJSON(customer, schema: schema), contacts: records(contacts),
            openOpportunities: records(openDeals), upcomingVisits: records(upcoming), recentVisits: records(recent),
            openComplaints: records(openComplaints), lastNotes: notes)
    }
}

/// The stable JSON shape of a customer card (`customer show --json`; protocol/cli/card.json): the card as a record
/// (`record.json`'s keys, which readers of the earlier output keep finding) and what the card gathers.
struct CardJSON: Encodable {
    let customer: RecordJSON
    let contacts: [RecordJSON]
    let openOpportunities: [RecordJSON]
    let upcomingVisits: [RecordJSON]
    let recentVisits: [RecordJSON]
    let openComplaints: [RecordJSON]
    let lastNotes: [CustomerCard.Note]

    private enum CodingKeys: String, CodingKey {
        case contacts, openOpportunities, upcomingVisits, recentVisits, openComplaints, lastNotes
    }

    func encode(to encoder: any Encoder) throws {
        try customer.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(contacts, forKey: .contacts)
        try container.encode(openOpportunities, forKey: .openOpportunities)
        try container.encode(upcomingVisits, forKey: .upcomingVisits)
        try container.encode(recentVisits, forKey: .recentVisits)
        try container.encode(openComplaints, forKey: .openComplaints)
        try container.encode(lastNotes, forKey: .lastNotes)
    }
}
