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
        }
    }

    /// An opportunity's stage (`prospecting` until one is set).
    public static func stage(of opportunity: RecordState) -> String {
        opportunity.value("stage").text ?? "prospecting"
    }

    /// The pipeline of the existing opportunities among `states`, by stage (in path order) or by owner.
    public static func pipeline(_ states: some Sequence<RecordState>, byRep: Bool) -> [PipelineRow] {
        pipeline(states.compactMap(OpportunityFacts.init), byRep: byRep)
    }

    /// The pipeline of `opportunities`, by stage (in path order) or by owner.
    public static func pipeline(_ opportunities: some Sequence<OpportunityFacts>, byRep: Bool) -> [PipelineRow] {
        var rows: [String: PipelineRow] = [:]
        for opportunity in opportunities {
            let key = byRep ? (opportunity.owner ?? "(no owner)") : opportunity.stage
            rows[key, default: PipelineRow(key: key)].add(opportunity)
        }
        let order = OpportunityStage.all.map(\.name)
        return rows.values.sorted { lhs, rhs in
            byRep ? lhs.key < rhs.key : (order.firstIndex(of: lhs.key) ?? 99) < (order.firstIndex(of: rhs.key) ?? 99)
        }
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

    /// One row of the visit report: planned and completed visits of a rep in a date range.
    public struct VisitRow: Codable, Sendable, Equatable {
        /// The rep.
        public var rep: String
        /// Visits planned in the range (any status).
        public var planned: Int
        /// Of them, completed.
        public var completed: Int
        /// Of them, cancelled or missed.
        public var notDone: Int
    }

    /// What the visit report reads of a visit, taken from its state once.
    public struct VisitFacts: Sendable, Equatable {
        /// The visiting rep, if set.
        public let rep: String?
        /// When it is planned (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
        public let plannedAt: String?
        /// Its status, if set.
        public let status: String?

        /// The facts of the existing visit `state`; `nil` for anything else.
        public init?(_ state: RecordState) {
            guard state.entity == .visit, state.exists else { return nil }
            rep = state.value("rep").text
            plannedAt = state.value("plannedAt").text
            status = state.value("status").text
        }
    }

    /// Existing visits planned from `start` (inclusive) to `end` (exclusive), `YYYY-MM-DD`, by rep.
    public static func visits(_ states: some Sequence<RecordState>, from start: String, to end: String) -> [VisitRow] {
        visits(states.compactMap(VisitFacts.init), from: start, to: end)
    }

    /// `visits` planned from `start` (inclusive) to `end` (exclusive), `YYYY-MM-DD`, by rep.
    public static func visits(_ visits: some Sequence<VisitFacts>, from start: String, to end: String) -> [VisitRow] {
        var rows: [String: VisitRow] = [:]
        for visit in visits {
            guard let planned = visit.plannedAt, planned >= start, planned < end else { continue }
            let rep = visit.rep ?? "(no rep)"
            var row = rows[rep] ?? VisitRow(rep: rep, planned: 0, completed: 0, notDone: 0)
            row.planned += 1
            switch visit.status {
            case "completed": row.completed += 1
            case "cancelled", "missed": row.notDone += 1
            default: break
            }
            rows[rep] = row
        }
        return rows.values.sorted { $0.rep < $1.rep }
    }
}
