import FieldSyncModel

/// Every record one console user sees, with the indexes the pages read, kept up to date one record at a time, so a
/// page reads only its own entity, a card only its own children and the conflicts page only conflicted records.
struct ConsoleView: Sendable {
    /// One visible record, with what the reports read of it taken out once (a class: passed around by reference,
    /// not by copying its state).
    final class Entry: Sendable {
        /// Its territory.
        let territory: String
        /// Its merged state.
        let state: RecordState
        /// When it last changed (`Reports.lastChangeMs`).
        let lastChangeMs: Int64
        /// Its owner's user name (customers and opportunities), if set.
        let owner: String?
        /// What the pipeline reads of it, when it is an existing opportunity.
        let opportunity: Reports.OpportunityFacts?
        /// What the visit report reads of it, when it is an existing visit.
        let visit: Reports.VisitFacts?
        /// A customer card's keys for likely duplicates (`DuplicateRule.keys`), as `reason:key`.
        let duplicateKeys: [String]

        init(territory: String, state: RecordState) {
            self.territory = territory
            self.state = state
            lastChangeMs = Reports.lastChangeMs(state)
            owner = state.value("owner").text
            opportunity = Reports.OpportunityFacts(state)
            visit = Reports.VisitFacts(state)
            duplicateKeys =
                state.entity == .customer ? DuplicateRule.keys(of: state).map { $0.0.rawValue + ":" + $0.1 } : []
        }
    }

    /// Every visible record, existing or deleted.
    private(set) var records: [RecordID: Entry] = [:]
    /// Existing records by entity.
    private(set) var byEntity: [EntityKind: Set<RecordID>] = [:]
    /// Existing contacts, opportunities, visits and complaints by the customer they belong to.
    private(set) var children: [RecordID: Set<RecordID>] = [:]
    /// Existing records with at least one open conflict.
    private(set) var conflicted: Set<RecordID> = []
    /// Counts the changes to this view: pages rendered at one version are the same until the next.
    private(set) var version = 0

    /// How many existing records there are.
    var existingCount: Int { byEntity.values.reduce(0) { $0 + $1.count } }

    /// The existing records of `entity`, as entries.
    func entries(_ entity: EntityKind) -> [(id: RecordID, entry: Entry)] {
        (byEntity[entity] ?? []).compactMap { id in records[id].map { (id, $0) } }
    }

    /// The existing records under customer `id`.
    func children(of id: RecordID) -> [(id: RecordID, state: RecordState)] {
        (children[id] ?? []).compactMap { id in records[id].map { (id, $0.state) } }
    }

    /// Records `entry` as the state of `id`.
    mutating func put(_ id: RecordID, _ entry: Entry) {
        remove(id)
        version += 1
        records[id] = entry
        let state = entry.state
        guard state.exists, let entity = state.entity else { return }
        byEntity[entity, default: []].insert(id)
        if let customer = Self.customer(of: state) { children[customer, default: []].insert(id) }
        if !state.conflicts(of: id).isEmpty { conflicted.insert(id) }
    }

    /// Forgets `id` (out of view).
    mutating func remove(_ id: RecordID) {
        guard let old = records.removeValue(forKey: id)?.state else { return }
        version += 1
        if let entity = old.entity { byEntity[entity]?.remove(id) }
        if let customer = Self.customer(of: old) {
            children[customer]?.remove(id)
            if children[customer]?.isEmpty == true { children[customer] = nil }
        }
        conflicted.remove(id)
    }

    private static func customer(of state: RecordState) -> RecordID? {
        guard state.entity != .customer, let text = state.value("customer").text else { return nil }
        return try? RecordID(text)
    }
}
