import FieldSyncModel

/// The manager views, computed from the merged records on this laptop.
public enum Reports {
    /// One row of the pipeline: a stage or a rep, with open count, amounts and weighted forecast per currency.
    public struct PipelineRow: Codable, Sendable, Equatable {
        /// The stage or rep.
        public var key: String
        /// Opportunities.
        public var count: Int
        /// Total amount in minor units, by currency.
        public var amount: [String: Int64]
        /// Amount × stage probability, in minor units, by currency.
        public var weighted: [String: Int64]
    }

    /// The pipeline by stage (in path order) or by owner.
    public static func pipeline(_ records: [LocalRecord], byRep: Bool) -> [PipelineRow] {
        var rows: [String: PipelineRow] = [:]
        for record in records where record.entity == .opportunity {
            let stage = record.state.value("stage").text ?? "prospecting"
            let key = byRep ? (record.state.value("owner").text ?? "(no owner)") : stage
            var row = rows[key] ?? PipelineRow(key: key, count: 0, amount: [:], weighted: [:])
            row.count += 1
            if case .money(let money) = record.state.value("amount") {
                let probability = Int64(OpportunityStage.named(stage)?.probability ?? 0)
                row.amount[money.currency, default: 0] += money.minor
                row.weighted[money.currency, default: 0] += money.minor * probability / 100
            }
            rows[key] = row
        }
        let order = OpportunityStage.all.map(\.name)
        return rows.values.sorted { lhs, rhs in
            byRep ? lhs.key < rhs.key : (order.firstIndex(of: lhs.key) ?? 99) < (order.firstIndex(of: rhs.key) ?? 99)
        }
    }

    /// Customer cards whose latest change is older than `days` days at `nowMs`, oldest first.
    public static func stale(_ records: [LocalRecord], days: Int, nowMs: Int64) -> [(
        record: LocalRecord, lastMs: Int64
    )] {
        let limit = nowMs - Int64(days) * 86_400_000
        return records.filter { $0.entity == .customer }.map { record in
            let heads = record.state.fields.values.flatMap(\.heads).map(\.hlc.wallMs)
            let notes = record.state.notes.map(\.hlc.wallMs)
            return (record, (heads + notes + [record.state.creation?.hlc.wallMs ?? 0]).max() ?? 0)
        }.filter { $0.1 < limit }.sorted { $0.1 < $1.1 }
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

    /// Visits planned from `start` (inclusive) to `end` (exclusive), `YYYY-MM-DD`, by rep.
    public static func visits(_ records: [LocalRecord], from start: String, to end: String) -> [VisitRow] {
        var rows: [String: VisitRow] = [:]
        for record in records where record.entity == .visit {
            guard let planned = record.state.value("plannedAt").text, planned >= start, planned < end else { continue }
            let rep = record.state.value("rep").text ?? "(no rep)"
            var row = rows[rep] ?? VisitRow(rep: rep, planned: 0, completed: 0, notDone: 0)
            row.planned += 1
            switch record.state.value("status").text {
            case "completed": row.completed += 1
            case "cancelled", "missed": row.notDone += 1
            default: break
            }
            rows[rep] = row
        }
        return rows.values.sorted { $0.rep < $1.rep }
    }
}
