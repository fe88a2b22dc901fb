/// What a pipeline is grouped by (`fieldsync pipeline --by`).
public enum PipelineDimension: String, CaseIterable, Codable, Sendable {
    /// The deal's stage.
    case stage
    /// The owning rep.
    case rep
    /// The territory of the deal's customer.
    case territory
    /// The month of the expected close date.
    case month
}

/// The manager views, computed from merged record states: the same figures on a laptop (`fieldsync pipeline`,
/// `review`, `visits`) and in the server's console.
public enum Reports {
    /// One row of the pipeline: a stage, a rep or an outcome, with count, amounts and weighted forecast per currency.
    public struct PipelineRow: Codable, Sendable, Equatable {
        /// The stage, rep or outcome.
        public var key: String
        /// Opportunities.
        public var count: Int
        /// Total amount in minor units, by currency.
        public var amount: [String: Int64]
        /// Amount × probability (the deal's own, else its stage's), in minor units, by currency.
        public var weighted: [String: Int64]
        /// The value of each dimension the row is grouped by (`PipelineDimension`), when grouped.
        public var keys: [String: String]?
        /// `open`, `won` or `lost`, when grouped.
        public var outcome: String?

        /// An empty row for `key`.
        public init(key: String) {
            self.key = key
            self.count = 0
            self.amount = [:]
            self.weighted = [:]
        }

        /// Counts one opportunity in this row.
        mutating func add(_ opportunity: OpportunityFacts) {
            count += 1
            guard let money = opportunity.amount else { return }
            let probability = Int64(opportunity.probability)
            amount[money.currency, default: 0] += money.minor
            weighted[money.currency, default: 0] += money.minor * probability / 100
        }
    }

    /// What the reports read of an opportunity, taken from its state once.
    public struct OpportunityFacts: Sendable, Equatable {
        /// Its stage (`prospecting` until one is set).
        public let stage: String
        /// Its owner's user name, if set.
        public let owner: String?
        /// Its amount, if set.
        public let amount: Money?
        /// Its expected close date, `YYYY-MM-DD`, if set.
        public let closeDate: String?
        /// The rep's own chance of winning it in percent (schema version 2), if set.
        public let probabilityOverride: Int?
        /// Its customer's id, if set.
        public let customer: String?
        /// When its stage was last set (or it was created, if never), in ms since 1970.
        public let movedMs: Int64
        /// The chance of winning it in percent for the weighted forecast: won 100, lost 0, an open deal its own
        /// probability if the rep set one, else its stage's default.
        public var probability: Int {
            let stage = OpportunityStage.named(stage)
            if stage?.isTerminal == true { return stage?.probability ?? 0 }
            return probabilityOverride ?? stage?.probability ?? 0
        }
        /// Whether the stage is won or lost.
        public var isClosed: Bool { OpportunityStage.named(stage)?.isTerminal ?? false }

        /// The facts of the existing opportunity `state`; `nil` for anything else.
        public init?(_ state: RecordState) {
            guard state.entity == .opportunity, state.exists else { return nil }
            stage = Reports.stage(of: state)
            owner = state.value("owner").text
            if case .money(let money) = state.value("amount") { amount = money } else { amount = nil }
            closeDate = state.value("closeDate").text
            if case .integer(let percent) = state.value("probability") {
                probabilityOverride = Int(min(max(percent, 0), 100))
            } else {
                probabilityOverride = nil
            }
            customer = state.value("customer").text
            movedMs = state.field("stage")?.heads.map(\.hlc.wallMs).max() ?? state.creation?.hlc.wallMs ?? 0
        }

        /// `open`, `won` or `lost`.
        public var outcome: String { isClosed ? stage : "open" }
    }

    /// An opportunity's stage (`prospecting` until one is set).
    public static func stage(of opportunity: RecordState) -> String {
        opportunity.value("stage").text ?? "prospecting"
    }

    /// Every existing opportunity among `states` by stage, in path order (won and lost last): the funnel.
    public static func funnel(_ states: some Sequence<RecordState>) -> [PipelineRow] {
        funnel(states.compactMap(OpportunityFacts.init))
    }

    /// `opportunities` by stage, in path order (won and lost last): the funnel.
    public static func funnel(_ opportunities: some Sequence<OpportunityFacts>) -> [PipelineRow] {
        pipeline(opportunities, by: [.stage]).map { row in
            var row = row
            (row.keys, row.outcome) = (nil, nil)
            return row
        }
    }

    /// `opportunities` grouped by `dimensions` (in that order; none gives one row per outcome), open deals first,
    /// then won, then lost; `territory` names a customer's territory. Each row's key joins its values with " / ".
    public static func pipeline(
        _ opportunities: some Sequence<OpportunityFacts>, by dimensions: [PipelineDimension],
        territory: (String?) -> String? = { _ in nil }
    ) -> [PipelineRow] {
        var rows: [[String]: PipelineRow] = [:]
        for opportunity in opportunities {
            let values = dimensions.map { dimension -> String in
                switch dimension {
                case .stage: opportunity.stage
                case .rep: opportunity.owner ?? "(no owner)"
                case .territory: territory(opportunity.customer) ?? "(no territory)"
                case .month: opportunity.closeDate.map { String($0.prefix(7)) } ?? "(no close date)"
                }
            }
            let group = [opportunity.outcome] + values
            if rows[group] == nil {
                var row = PipelineRow(key: values.isEmpty ? opportunity.outcome : values.joined(separator: " / "))
                row.keys = Dictionary(uniqueKeysWithValues: zip(dimensions.map(\.rawValue), values))
                row.outcome = opportunity.outcome
                rows[group] = row
            }
            rows[group]!.add(opportunity)
        }
        let outcomes = ["open", "won", "lost"]
        let stages = OpportunityStage.all.map(\.name)
        func order(_ group: [String]) -> [String] {
            // Stages sort in path order, every other value as text.
            group.enumerated().map { index, value in
                index > 0 && dimensions[index - 1] == .stage
                    ? String(100 + (stages.firstIndex(of: value) ?? 99))
                    : index == 0 ? String(outcomes.firstIndex(of: value) ?? 9) : value
            }
        }
        return rows.sorted { order($0.key).lexicographicallyPrecedes(order($1.key)) }.map(\.value)
    }

    /// Won deals' share of closed ones among `rows` (`pipeline` rows), by count and by amount (of the currency most
    /// closed in); `nil` when nothing closed.
    public static func winRate(_ rows: [PipelineRow]) -> (byCount: Int, byAmount: Int?)? {
        let won = rows.filter { $0.outcome == "won" }
        let lost = rows.filter { $0.outcome == "lost" }
        let (wonCount, lostCount) = (won.map(\.count).reduce(0, +), lost.map(\.count).reduce(0, +))
        guard wonCount + lostCount > 0 else { return nil }
        func total(_ rows: [PipelineRow]) -> [String: Int64] {
            rows.reduce(into: [:]) { sum, row in sum.merge(row.amount, uniquingKeysWith: +) }
        }
        let (wonAmount, lostAmount) = (total(won), total(lost))
        let currency = wonAmount.merging(lostAmount, uniquingKeysWith: +).max { $0.value < $1.value }?.key
        let byAmount = currency.flatMap { currency -> Int? in
            let (w, l) = (wonAmount[currency] ?? 0, lostAmount[currency] ?? 0)
            return w + l > 0 ? Int(w * 100 / (w + l)) : nil
        }
        return (wonCount * 100 / (wonCount + lostCount), byAmount)
    }

    /// Open, won and lost opportunities, in that order (every row present, empty ones too).
    public static func outcomes(_ opportunities: some Sequence<OpportunityFacts>) -> [PipelineRow] {
        var rows = ["open", "won", "lost"].map(PipelineRow.init(key:))
        for opportunity in opportunities {
            rows[opportunity.stage == "won" ? 1 : opportunity.stage == "lost" ? 2 : 0].add(opportunity)
        }
        return rows
    }

    /// Open opportunities whose close date falls from `start` (inclusive) to `end` (exclusive), `YYYY-MM-DD`.
    public static func closing(_ opportunities: some Sequence<OpportunityFacts>, from start: String, to end: String)
        -> PipelineRow
    {
        var row = PipelineRow(key: "\(start)..\(end)")
        for opportunity in opportunities where !opportunity.isClosed {
            guard let date = opportunity.closeDate, date >= start, date < end else { continue }
            row.add(opportunity)
        }
        return row
    }

    /// When a record last changed: its newest field write, note or creation, in ms since 1970.
    public static func lastChangeMs(_ state: RecordState) -> Int64 {
        var latest = state.creation?.hlc.wallMs ?? 0
        for field in state.fields.values {
            for head in field.heads where head.hlc.wallMs > latest { latest = head.hlc.wallMs }
        }
        for note in state.notes where note.hlc.wallMs > latest { latest = note.hlc.wallMs }
        return latest
    }

    /// The records among `records` whose latest change is older than `days` days at `nowMs`, oldest first.
    public static func stale<Record>(
        _ records: some Sequence<Record>, state: (Record) -> RecordState, days: Int, nowMs: Int64
    ) -> [(record: Record, lastMs: Int64)] {
        stale(records, lastChangeMs: { lastChangeMs(state($0)) }, days: days, nowMs: nowMs)
    }

    /// The records among `records` whose latest change (`lastChangeMs`) is older than `days` days at `nowMs`, oldest
    /// first.
    public static func stale<Record>(
        _ records: some Sequence<Record>, lastChangeMs: (Record) -> Int64, days: Int, nowMs: Int64
    ) -> [(record: Record, lastMs: Int64)] {
        let limit = nowMs - Int64(days) * 86_400_000
        return records.map { ($0, lastChangeMs($0)) }.filter { $0.1 < limit }.sorted { $0.1 < $1.1 }
    }

    /// One row of the visit report: planned and completed visits of a rep (or at a customer) in a date range.
    public struct VisitRow: Codable, Sendable, Equatable {
        /// The rep, when grouped by rep.
        public var rep: String?
        /// The customer's id, when grouped by customer.
        public var customer: String?
        /// Visits planned in the range (any status).
        public var planned = 0
        /// Of them, completed.
        public var completed = 0
        /// Of them, cancelled or missed.
        public var notDone = 0
        /// Completed visits in percent of planned ones.
        public var completionRate = 0

        mutating func add(_ visit: VisitFacts) {
            planned += 1
            switch visit.status {
            case "completed": completed += 1
            case "cancelled", "missed": notDone += 1
            default: break
            }
            completionRate = completed * 100 / planned
        }
    }

    /// What the visit report reads of a visit, taken from its state once.
    public struct VisitFacts: Sendable, Equatable {
        /// The visiting rep, if set.
        public let rep: String?
        /// The customer's id, if set.
        public let customer: String?
        /// When it is planned (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
        public let plannedAt: String?
        /// Its status, if set.
        public let status: String?

        /// The facts of the existing visit `state`; `nil` for anything else.
        public init?(_ state: RecordState) {
            guard state.entity == .visit, state.exists else { return nil }
            rep = state.value("rep").text
            customer = state.value("customer").text
            plannedAt = state.value("plannedAt").text
            status = state.value("status").text
        }
    }

    /// Existing visits planned from `start` (inclusive) to `end` (exclusive), `YYYY-MM-DD`, by rep.
    public static func visits(_ states: some Sequence<RecordState>, from start: String, to end: String) -> [VisitRow] {
        visits(states.compactMap(VisitFacts.init), from: start, to: end)
    }

    /// `visits` planned from `start` (inclusive) to `end` (exclusive), `YYYY-MM-DD` or stored UTC date-times, by rep
    /// or (`byCustomer`) by customer, sorted by rep or customer id.
    public static func visits(
        _ visits: some Sequence<VisitFacts>, from start: String, to end: String, byCustomer: Bool = false
    ) -> [VisitRow] {
        var rows: [String: VisitRow] = [:]
        for visit in visits {
            guard let planned = visit.plannedAt, planned >= start, planned < end else { continue }
            let key = (byCustomer ? visit.customer : visit.rep) ?? (byCustomer ? "(no customer)" : "(no rep)")
            rows[key, default: byCustomer ? VisitRow(customer: key) : VisitRow(rep: key)].add(visit)
        }
        return rows.sorted { $0.key < $1.key }.map(\.value)
    }
}
