import FieldSyncClient
import FieldSyncModel
import Foundation

/// What the simulated team works on, and the actions reps and managers take on it: each action is a scenario step,
/// carried out (and written down) by the run's `RunState`, with records named by aliases.
struct SimWorld {
    /// The records every rep of a territory shares (customers and their opportunities), by alias.
    private(set) var hotCustomers: [String: [String]] = [:]
    private(set) var hotOpportunities: [String: [String]] = [:]
    /// Each team's territories, for managers.
    let teamTerritories: [String: [String]]
    let territoryOf: [String: String]
    let teamOf: [String: String]
    /// Unique text for notes, so duplicates can be counted.
    private var noteCounter = 0
    /// Records made so far, for their aliases.
    private var made = 0
    static let start = Date(timeIntervalSince1970: 1_796_000_000)  // a Monday in November 2026
    /// When the team's simulated clock starts, in milliseconds since 1970.
    static let startMs = Int64(start.timeIntervalSince1970 * 1000)

    /// Percent of rep edits on shared records.
    let hotPercent: Int
    /// Whether reps enter cards again for customers the team has (only where a manager can merge them).
    let plantsDuplicates: Bool

    init(members: [Scenario.Member], hotShare: Double) {
        hotPercent = Int((hotShare * 100).rounded())
        plantsDuplicates = members.contains { $0.role == .manager }
        var teams: [String: [String]] = [:]
        var territoryOf: [String: String] = [:]
        var teamOf: [String: String] = [:]
        for member in members {
            teamOf[member.user] = member.team
            if let territory = member.territories.first {
                territoryOf[member.user] = territory
                if !(teams[member.team] ?? []).contains(territory) { teams[member.team, default: []].append(territory) }
            }
        }
        teamTerritories = teams
        self.territoryOf = territoryOf
        self.teamOf = teamOf
    }

    /// A new record's alias.
    private mutating func alias(_ entity: EntityKind) -> String {
        made += 1
        return "\(entity.rawValue)-\(made)"
    }

    /// The first rep of each territory creates its shared customers and opportunities; everyone pulls them.
    mutating func seed(laptops: [SimLaptop], _ run: RunState) async throws {
        for laptop in laptops { laptop.transport.setEnabled(false) }
        var seeded: Set<String> = []
        for laptop in laptops where laptop.role == .rep {
            guard let territory = territoryOf[laptop.user], !seeded.contains(territory) else { continue }
            seeded.insert(territory)
            for index in 0..<3 {
                let (customer, opportunity) = (alias(.customer), alias(.opportunity))
                let made =
                    run.tryEdit(
                        .add(
                            laptop: laptop.name, entity: .customer, alias: customer,
                            fields: ["name": "\(territory) key account \(index)", "territory": territory], tags: []))
                    && run.tryEdit(
                        .add(
                            laptop: laptop.name, entity: .opportunity, alias: opportunity,
                            fields: ["customer": customer, "title": "Boiler upgrade \(index)", "stage": "prospecting"],
                            tags: []))
                guard made else { throw SimulationError.failed("seeding failed") }
                hotCustomers[territory, default: []].append(customer)
                hotOpportunities[territory, default: []].append(opportunity)
            }
            try await run.perform(.sync([laptop.name]))
        }
        try await run.perform(.sync(laptops.map(\.name)))
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

    /// One action by `laptop` on simulated `day`, carried out through `run`.
    mutating func act(_ laptop: SimLaptop, day: Int, tag: String, random: inout SeededGenerator, _ run: RunState) {
        laptop.role == .manager
            ? manage(laptop, day: day, tag: tag, random: &random, run)
            : work(laptop, day: day, tag: tag, random: &random, run)
    }

    /// Cards a rep entered for a customer the team already had (original, duplicate), by alias: managers must merge
    /// each.
    private(set) var planted: [(original: String, duplicate: String)] = []

    /// A rep meets a key account of the territory and, not finding it, types its card again (the company's legal
    /// form added to the name, the same phone).
    mutating func plantDuplicate(_ laptop: SimLaptop, random: inout SeededGenerator, _ run: RunState) {
        guard let territory = territoryOf[laptop.user],
            let original = (hotCustomers[territory] ?? []).randomElement(using: &random),
            let name = run.aliases[original].flatMap(laptop.shown)?.value("name").text
        else { return }
        let duplicate = alias(.customer)
        if run.tryEdit(
            .add(
                laptop: laptop.name, entity: .customer, alias: duplicate,
                fields: ["name": name + " Co., Ltd.", "territory": territory, "owner": laptop.user], tags: []))
        {
            laptop.customers.append(duplicate)
            planted.append((original, duplicate))
        }
    }

    /// A manager merges the likely duplicates in their view (`DuplicateRule`), keeping the territory's key account
    /// of a pair when there is one; at most `limit` merges.
    func mergeDuplicates(_ laptop: SimLaptop, limit: Int, _ run: RunState) {
        let hot = Set(hotCustomers.values.flatMap { $0 })
        for _ in 0..<limit {
            let customers = ((try? laptop.store.records(.customer)) ?? []).map { ($0.id, $0.state) }
            guard
                let pair = DuplicateRule.pairs(customers).first(where: {
                    $0.reasons.contains(.name)
                        && !(hot.contains(run.alias($0.first)) && hot.contains(run.alias($0.second)))
                })
            else { return }
            let (first, second) = (run.alias(pair.first), run.alias(pair.second))
            let (keep, duplicate) = hot.contains(second) ? (second, first) : (first, second)
            guard run.tryEdit(.merge(laptop: laptop.name, record: duplicate, into: keep)) else { return }
        }
    }

    /// A rep adds a customer card of their own in their territory.
    mutating func addCustomer(_ laptop: SimLaptop, tag: String, _ run: RunState) {
        guard let territory = territoryOf[laptop.user] else { return }
        let customer = alias(.customer)
        if run.tryEdit(
            .add(
                laptop: laptop.name, entity: .customer, alias: customer,
                fields: ["name": "\(laptop.name) customer \(tag)", "territory": territory, "owner": laptop.user],
                tags: []))
        {
            laptop.customers.append(customer)
        }
    }

    /// A rep's action: a target is one of the territory's shared records `hotShare` of the time.
    private mutating func work(
        _ laptop: SimLaptop, day: Int, tag: String, random: inout SeededGenerator, _ run: RunState
    ) {
        guard let territory = territoryOf[laptop.user] else { return }
        let (name, user) = (laptop.name, laptop.user)
        let hot = random.chance(hotPercent)
        let customers = hot || laptop.customers.isEmpty ? hotCustomers[territory] ?? [] : laptop.customers
        guard let customer = customers.randomElement(using: &random) else { return }
        func edit(_ record: String, _ fields: [String: String]) {
            _ = run.tryEdit(.edit(laptop: name, record: record, fields: fields, tags: [], untags: []))
        }
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<12:
            if plantsDuplicates && random.chance(30) {
                plantDuplicate(laptop, random: &random, run)
            } else {
                addCustomer(laptop, tag: tag, run)
            }
        case 12..<30:
            let plannedAt = isoTime(day: day, hour: Int.random(in: 9...17, using: &random))
            let visit = alias(.visit)
            if run.tryEdit(
                .add(
                    laptop: name, entity: .visit, alias: visit,
                    fields: [
                        "customer": customer, "rep": user, "plannedAt": plannedAt, "purpose": "Review \(tag)",
                        "status": "planned",
                    ], tags: []))
            {
                laptop.visits.append((visit, plannedAt))
            }
        case 30..<45:
            guard !laptop.visits.isEmpty else { return }
            let visit = laptop.visits.removeFirst()
            if random.chance(15) {
                _ = run.tryEdit(.delete(laptop: name, record: visit.alias))
                return
            }
            let checkedIn = Self.later(visit.plannedAt, minutes: Int.random(in: 0...90, using: &random))
            var fields = ["status": "completed", "checkedInAt": checkedIn, "outcome": "Met the buyer (\(tag))"]
            if laptop.schemaVersion >= 2 {
                fields["checkedOutAt"] = Self.later(checkedIn, minutes: Int.random(in: 20...120, using: &random))
                fields["checkOutPlace"] = "Site gate \(tag)"
            }
            edit(visit.alias, fields)
        case 45..<65:
            let (field, value) =
                switch Int.random(in: 0..<3, using: &random) {
                case 0: ("phone", "0571-\(Int.random(in: 1_000_000...9_999_999, using: &random))")
                case 1: ("class", ["A", "B", "C", "D"].randomElement(using: &random)!)
                default: ("region", ["Hangzhou", "Ningbo", "Wenzhou"].randomElement(using: &random)!)
                }
            edit(customer, [field: value])
        case 65..<82:
            let opportunities = hot ? hotOpportunities[territory] ?? [] : laptop.opportunities
            if let opportunity = opportunities.randomElement(using: &random),
                let current = run.aliases[opportunity].flatMap(laptop.shown)?.value("stage").text,
                let index = OpportunityStage.all.firstIndex(where: { $0.name == current })
            {
                // Forward one stage at a time; from closing to won (60%) or lost. Closed opportunities stay closed.
                guard !OpportunityStage.all[index].isTerminal else { return }
                let next = index < 5 ? OpportunityStage.all[index + 1].name : (random.chance(60) ? "won" : "lost")
                var fields = ["stage": next]
                if laptop.schemaVersion >= 2 && random.chance(50) {
                    fields["probability"] = String(Int.random(in: 5...95, using: &random))
                }
                if random.chance(25) {
                    // Renamed in version 2: each laptop writes the name its release knows.
                    let competitor = ["华东货架厂", "Acme Racking", "金鹰"].randomElement(using: &random)!
                    fields[laptop.schemaVersion >= 2 ? "mainCompetitor" : "competitor"] = competitor
                }
                edit(opportunity, fields)
            } else {
                let opportunity = alias(.opportunity)
                if run.tryEdit(
                    .add(
                        laptop: name, entity: .opportunity, alias: opportunity,
                        fields: ["customer": customer, "title": "Service contract \(tag)", "stage": "prospecting"],
                        tags: []))
                {
                    laptop.opportunities.append(opportunity)
                }
            }
        case 82..<90:
            let note = nextNote(laptop, tag)
            _ = run.tryEdit(.note(laptop: name, record: customer, text: note))
        case 90..<95:
            let element = ["vip", "key", "late-payer", "expanding"].randomElement(using: &random)!
            _ = run.tryEdit(.edit(laptop: name, record: customer, fields: [:], tags: [element], untags: []))
        default:
            guard
                let element = run.aliases[customer].flatMap(laptop.shown)?.elements("tags").randomElement(
                    using: &random)
            else { return }
            _ = run.tryEdit(.edit(laptop: name, record: customer, fields: [:], tags: [], untags: [element]))
        }
    }

    /// A manager's action: resolve conflicts, edit the pipeline, or move a customer to another territory of the team.
    private mutating func manage(
        _ laptop: SimLaptop, day: Int, tag: String, random: inout SeededGenerator, _ run: RunState
    ) {
        let user = laptop.name  // the laptop (a copy has a name of its own)
        let territories = teamTerritories[teamOf[laptop.user] ?? ""] ?? []
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<40:
            for conflict in (try? laptop.store.conflicts()) ?? [] {
                let record = run.alias(conflict.record)
                guard conflict.kind == .value else {
                    _ = run.tryEdit(
                        random.chance(60)
                            ? .restore(laptop: user, record: record) : .delete(laptop: user, record: record))
                    continue
                }
                guard let field = conflict.field, let chosen = conflict.heads.randomElement(using: &random) else {
                    continue
                }
                let value = run.written(chosen.value, field: field, of: conflict.entity)
                _ = run.tryEdit(.edit(laptop: user, record: record, fields: [field: value], tags: [], untags: []))
            }
        case 40..<75:
            guard let opportunity = ((try? laptop.store.records(.opportunity)) ?? []).randomElement(using: &random)
            else { return }
            let amount = Money(minor: Int64.random(in: 10_000...5_000_000, using: &random) * 100, currency: "CNY")
            _ = run.tryEdit(
                .edit(
                    laptop: user, record: run.alias(opportunity.id), fields: ["amount": amount.description], tags: [],
                    untags: []))
        case 75..<82:
            // Closing a customer the team dropped: reps who edited it offline keep it alive, and it shows as a delete
            // conflict until a manager keeps or deletes it.
            guard let customer = ((try? laptop.store.records(.customer)) ?? []).randomElement(using: &random) else {
                return
            }
            _ = run.tryEdit(.delete(laptop: user, record: run.alias(customer.id)))
        case 82..<90:
            mergeDuplicates(laptop, limit: 1, run)
        default:
            guard territories.count > 1 else { return }
            let hot = Set(hotCustomers.values.flatMap { $0 })
            let candidates = ((try? laptop.store.records(.customer)) ?? []).filter { !hot.contains(run.alias($0.id)) }
            guard let customer = candidates.randomElement(using: &random),
                let from = customer.state.value("territory").text
            else { return }
            let to = territories.filter { $0 != from }.randomElement(using: &random)!
            _ = run.tryEdit(
                .edit(laptop: user, record: run.alias(customer.id), fields: ["territory": to], tags: [], untags: []))
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
