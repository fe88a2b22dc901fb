import FieldSyncClient
import FieldSyncModel
import Foundation

/// What the simulated team works on, and the actions reps and managers take on it.
struct SimWorld {
    /// The records every rep of a territory shares (customers and their opportunities).
    private(set) var hotCustomers: [String: [RecordID]] = [:]
    private(set) var hotOpportunities: [String: [RecordID]] = [:]
    /// Each team's territories, for managers.
    let teamTerritories: [String: [String]]
    let territoryOf: [String: String]
    let teamOf: [String: String]
    /// Unique text for notes, so duplicates can be counted.
    private var noteCounter = 0
    static let start = Date(timeIntervalSince1970: 1_796_000_000)  // a Monday in November 2026

    /// Percent of rep edits on shared records.
    let hotPercent: Int
    /// Whether reps enter cards again for customers the team has (only where a manager can merge them).
    let plantsDuplicates: Bool

    init(members: [Simulation.Member], hotShare: Double) {
        hotPercent = Int((hotShare * 100).rounded())
        plantsDuplicates = members.contains { $0.role == .manager }
        var teams: [String: [String]] = [:]
        var territoryOf: [String: String] = [:]
        var teamOf: [String: String] = [:]
        for member in members {
            teamOf[member.name] = member.team
            if let territory = member.territories.first {
                territoryOf[member.name] = territory
                if !(teams[member.team] ?? []).contains(territory) { teams[member.team, default: []].append(territory) }
            }
        }
        teamTerritories = teams
        self.territoryOf = territoryOf
        self.teamOf = teamOf
    }

    /// The first rep of each territory creates its shared customers and opportunities; everyone pulls them.
    mutating func seed(laptops: [SimLaptop]) async throws {
        for laptop in laptops { laptop.transport.setEnabled(false) }
        var seeded: Set<String> = []
        for laptop in laptops where laptop.role == .rep {
            guard let territory = territoryOf[laptop.user], !seeded.contains(territory) else { continue }
            seeded.insert(territory)
            for index in 0..<3 {
                var customer: RecordID?
                var opportunity: RecordID?
                let made = laptop.edit("add shared customer") { builder in
                    customer = try builder.create(.customer)
                    try builder.set(customer!, "name", .text("\(territory) key account \(index)"))
                    try builder.set(customer!, "territory", .text(territory))
                    opportunity = try builder.create(.opportunity)
                    try builder.set(opportunity!, "customer", .text(customer!.rawValue))
                    try builder.set(opportunity!, "title", .text("Boiler upgrade \(index)"))
                    try builder.set(opportunity!, "stage", .text("prospecting"))
                }
                guard made, let customer, let opportunity else { throw SimulationError.failed("seeding failed") }
                hotCustomers[territory, default: []].append(customer)
                hotOpportunities[territory, default: []].append(opportunity)
            }
            try await laptop.sync()
        }
        try await Simulation.syncAll(laptops)
        for laptop in laptops { laptop.transport.setEnabled(true) }
    }

    func isoTime(day: Int, hour: Int, minute: Int = 0) -> String {
        let date = Self.start.addingTimeInterval(Double(day * 86_400 + hour * 3_600 + minute * 60))
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    mutating func nextNote(_ laptop: SimLaptop, _ tag: String) -> String {
        noteCounter += 1
        return "\(laptop.user) \(tag) note \(noteCounter)"
    }

    /// One action by `laptop` on simulated `day`.
    mutating func act(_ laptop: SimLaptop, day: Int, tag: String, random: inout SeededGenerator) {
        laptop.role == .manager
            ? manage(laptop, day: day, tag: tag, random: &random) : work(laptop, day: day, tag: tag, random: &random)
    }

    /// Cards a rep entered for a customer the team already had (original, duplicate): managers must merge each.
    private(set) var planted: [(original: RecordID, duplicate: RecordID)] = []

    /// A rep meets a key account of the territory and, not finding it, types its card again (the company's legal
    /// form added to the name, the same phone).
    mutating func plantDuplicate(_ laptop: SimLaptop, random: inout SeededGenerator) {
        guard let territory = territoryOf[laptop.user],
            let original = (hotCustomers[territory] ?? []).randomElement(using: &random),
            let name = laptop.shown(original)?.value("name").text
        else { return }
        var id: RecordID?
        if laptop.edit(
            "add customer again",
            { builder in
                id = try builder.create(.customer)
                try builder.set(id!, "name", .text(name + " Co., Ltd."))
                try builder.set(id!, "territory", .text(territory))
                try builder.set(id!, "owner", .text(laptop.user))
            }), let id
        {
            laptop.customers.append(id)
            planted.append((original, id))
        }
    }

    /// A manager merges the likely duplicates in their view (`DuplicateRule`), keeping the territory's key account
    /// of a pair when there is one; at most `limit` merges.
    func mergeDuplicates(_ laptop: SimLaptop, limit: Int) {
        let hot = Set(hotCustomers.values.flatMap { $0 })
        for _ in 0..<limit {
            let customers = ((try? laptop.store.records(.customer)) ?? []).map { ($0.id, $0.state) }
            guard
                let pair = DuplicateRule.pairs(customers).first(where: {
                    $0.reasons.contains(.name) && !(hot.contains($0.first) && hot.contains($0.second))
                })
            else { return }
            let (keep, duplicate) = hot.contains(pair.second) ? (pair.second, pair.first) : (pair.first, pair.second)
            guard laptop.edit("merge duplicate", { try $0.merge(duplicate, into: keep) }) else { return }
        }
    }

    /// A rep adds a customer card of their own in their territory.
    func addCustomer(_ laptop: SimLaptop, tag: String) {
        guard let territory = territoryOf[laptop.user] else { return }
        var id: RecordID?
        if laptop.edit(
            "add customer",
            { builder in
                id = try builder.create(.customer)
                try builder.set(id!, "name", .text("\(laptop.user) customer \(tag)"))
                try builder.set(id!, "territory", .text(territory))
                try builder.set(id!, "owner", .text(laptop.user))
            }), let id
        {
            laptop.customers.append(id)
        }
    }

    /// A rep's action: a target is one of the territory's shared records `hotShare` of the time.
    private mutating func work(_ laptop: SimLaptop, day: Int, tag: String, random: inout SeededGenerator) {
        guard let territory = territoryOf[laptop.user] else { return }
        let hot = random.chance(hotPercent)
        let customers = hot || laptop.customers.isEmpty ? hotCustomers[territory] ?? [] : laptop.customers
        guard let customer = customers.randomElement(using: &random) else { return }
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<12:
            if plantsDuplicates && random.chance(30) {
                plantDuplicate(laptop, random: &random)
            } else {
                addCustomer(laptop, tag: tag)
            }
        case 12..<30:
            let plannedAt = isoTime(day: day, hour: Int.random(in: 9...17, using: &random))
            var id: RecordID?
            if laptop.edit("plan visit") { builder in
                id = try builder.create(.visit)
                try builder.set(id!, "customer", .text(customer.rawValue))
                try builder.set(id!, "rep", .text(laptop.user))
                try builder.set(id!, "plannedAt", .text(plannedAt))
                try builder.set(id!, "purpose", .text("Review \(tag)"))
                try builder.set(id!, "status", .text("planned"))
            }, let id {
                laptop.visits.append((id, plannedAt))
            }
        case 30..<45:
            guard !laptop.visits.isEmpty else { return }
            let visit = laptop.visits.removeFirst()
            if random.chance(15) {
                laptop.edit("cancel visit") { try $0.delete(visit.id) }
                return
            }
            laptop.edit("complete visit") { builder in
                try builder.set(visit.id, "status", .text("completed"))
                try builder.set(
                    visit.id, "checkedInAt",
                    .text(Self.later(visit.plannedAt, minutes: Int.random(in: 0...90, using: &random))))
                try builder.set(visit.id, "outcome", .text("Met the buyer (\(tag))"))
            }
        case 45..<65:
            let (field, value): (String, Value) =
                switch Int.random(in: 0..<3, using: &random) {
                case 0: ("phone", .text("0571-\(Int.random(in: 1_000_000...9_999_999, using: &random))"))
                case 1: ("class", .text(["A", "B", "C", "D"].randomElement(using: &random)!))
                default: ("region", .text(["Hangzhou", "Ningbo", "Wenzhou"].randomElement(using: &random)!))
                }
            laptop.edit("edit \(field)") { try $0.set(customer, field, value) }
        case 65..<82:
            let opportunities = hot ? hotOpportunities[territory] ?? [] : laptop.opportunities
            if let opportunity = opportunities.randomElement(using: &random),
                let current = try? laptop.store.record(opportunity)?.state.value("stage").text,
                let index = OpportunityStage.all.firstIndex(where: { $0.name == current })
            {
                // Forward one stage at a time; from closing to won (60%) or lost. Closed opportunities stay closed.
                guard !OpportunityStage.all[index].isTerminal else { return }
                let next = index < 5 ? OpportunityStage.all[index + 1].name : (random.chance(60) ? "won" : "lost")
                laptop.edit("stage \(next)") { try $0.set(opportunity, "stage", .text(next)) }
            } else {
                var id: RecordID?
                if laptop.edit("add opportunity") { builder in
                    id = try builder.create(.opportunity)
                    try builder.set(id!, "customer", .text(customer.rawValue))
                    try builder.set(id!, "title", .text("Service contract \(tag)"))
                    try builder.set(id!, "stage", .text("prospecting"))
                }, let id {
                    laptop.opportunities.append(id)
                }
            }
        case 82..<90:
            let note = nextNote(laptop, tag)
            laptop.edit("note") { try $0.note(customer, note) }
        case 90..<95:
            let element = ["vip", "key", "late-payer", "expanding"].randomElement(using: &random)!
            laptop.edit("tag \(element)") { try $0.add(customer, "tags", element) }
        default:
            guard let element = laptop.shown(customer)?.elements("tags").randomElement(using: &random) else { return }
            laptop.edit("untag \(element)") { try $0.remove(customer, "tags", element) }
        }
    }

    /// A manager's action: resolve conflicts, edit the pipeline, or move a customer to another territory of the team.
    private mutating func manage(_ laptop: SimLaptop, day: Int, tag: String, random: inout SeededGenerator) {
        let territories = teamTerritories[teamOf[laptop.user] ?? ""] ?? []
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<40:
            for conflict in (try? laptop.store.conflicts()) ?? [] {
                guard conflict.kind == .value else {
                    let keep = random.chance(60)
                    laptop.edit("resolve \(conflict.id)") {
                        keep ? try $0.restore(conflict.record) : try $0.delete(conflict.record)
                    }
                    continue
                }
                guard let field = conflict.field, let chosen = conflict.heads.randomElement(using: &random) else {
                    continue
                }
                laptop.edit("resolve \(conflict.id)") { try $0.set(conflict.record, field, chosen.value) }
            }
        case 40..<75:
            guard let opportunity = ((try? laptop.store.records(.opportunity)) ?? []).randomElement(using: &random)
            else { return }
            let amount = Money(minor: Int64.random(in: 10_000...5_000_000, using: &random) * 100, currency: "CNY")
            laptop.edit("pipeline amount") { try $0.set(opportunity.id, "amount", .money(amount)) }
        case 75..<82:
            // Closing a customer the team dropped: reps who edited it offline keep it alive, and it shows as a delete
            // conflict until a manager keeps or deletes it.
            guard let customer = ((try? laptop.store.records(.customer)) ?? []).randomElement(using: &random) else {
                return
            }
            laptop.edit("delete customer") { try $0.delete(customer.id) }
        case 82..<90:
            mergeDuplicates(laptop, limit: 1)
        default:
            guard territories.count > 1 else { return }
            let hot = Set(hotCustomers.values.flatMap { $0 })
            let candidates = ((try? laptop.store.records(.customer)) ?? []).filter { !hot.contains($0.id) }
            guard let customer = candidates.randomElement(using: &random),
                let from = customer.state.value("territory").text
            else { return }
            let to = territories.filter { $0 != from }.randomElement(using: &random)!
            laptop.edit("move to \(to)") { try $0.set(customer.id, "territory", .text(to)) }
        }
    }

    /// `iso` plus `minutes`.
    static func later(_ iso: String, minutes: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        guard let date = formatter.date(from: iso) else { return iso }
        return formatter.string(from: date.addingTimeInterval(Double(minutes * 60)))
    }
}
