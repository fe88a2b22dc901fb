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
        /// Amount × stage probability, in minor units, by currency.
        public var weighted: [String: Int64]

        /// An empty row for `key`.
        public init(key: String) {
            self.key = key
            self.count = 0
            self.amount = [:]
            self.weighted = [:]
        }

        /// Counts one opportunity in this row.
        mutating func add(_ opportunity: RecordState) {
            count += 1
            guard case .money(let money) = opportunity.value("amount") else { return }
            let probability = Int64(OpportunityStage.named(Reports.stage(of: opportunity))?.probability ?? 0)
            amount[money.currency, default: 0] += money.minor
            weighted[money.currency, default: 0] += money.minor * probability / 100
        }
    }

    /// An opportunity's stage (`prospecting` until one is set).
    public static func stage(of opportunity: RecordState) -> String {
        opportunity.value("stage").text ?? "prospecting"
    }

    /// The pipeline of the existing opportunities among `states`, by stage (in path order) or by owner.
    public static func pipeline(_ states: some Sequence<RecordState>, byRep: Bool) -> [PipelineRow] {
        var rows: [String: PipelineRow] = [:]
        for state in states where state.entity == .opportunity && state.exists {
            let key = byRep ? (state.value("owner").text ?? "(no owner)") : stage(of: state)
            rows[key, default: PipelineRow(key: key)].add(state)
        }
        let order = OpportunityStage.all.map(\.name)
        return rows.values.sorted { lhs, rhs in
            byRep ? lhs.key < rhs.key : (order.firstIndex(of: lhs.key) ?? 99) < (order.firstIndex(of: rhs.key) ?? 99)
        }
    }

    /// Open, won and lost opportunities, in that order (every row present, empty ones too).
    public static func outcomes(_ states: some Sequence<RecordState>) -> [PipelineRow] {
        var rows = ["open", "won", "lost"].map(PipelineRow.init(key:))
        for state in states where state.entity == .opportunity && state.exists {
            let stage = stage(of: state)
            rows[stage == "won" ? 1 : stage == "lost" ? 2 : 0].add(state)
        }
        return rows
    }

    /// Open opportunities whose close date falls from `start` (inclusive) to `end` (exclusive), `YYYY-MM-DD`.
    public static func closing(_ states: some Sequence<RecordState>, from start: String, to end: String)
        -> PipelineRow
    {
        var row = PipelineRow(key: "\(start)..\(end)")
        for state in states where state.entity == .opportunity && state.exists {
            guard !(OpportunityStage.named(stage(of: state))?.isTerminal ?? false),
                let date = state.value("closeDate").text, date >= start, date < end
            else { continue }
            row.add(state)
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
        let limit = nowMs - Int64(days) * 86_400_000
        return records.map { ($0, lastChangeMs(state($0))) }.filter { $0.1 < limit }.sorted { $0.1 < $1.1 }
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

    /// Existing visits planned from `start` (inclusive) to `end` (exclusive), `YYYY-MM-DD`, by rep.
    public static func visits(_ states: some Sequence<RecordState>, from start: String, to end: String) -> [VisitRow] {
        var rows: [String: VisitRow] = [:]
        for state in states where state.entity == .visit && state.exists {
            guard let planned = state.value("plannedAt").text, planned >= start, planned < end else { continue }
            let rep = state.value("rep").text ?? "(no rep)"
            var row = rows[rep] ?? VisitRow(rep: rep, planned: 0, completed: 0, notDone: 0)
            row.planned += 1
            switch state.value("status").text {
            case "completed": row.completed += 1
            case "cancelled", "missed": row.notDone += 1
            default: break
            }
            rows[rep] = row
        }
        return rows.values.sorted { $0.rep < $1.rep }
    }
}
