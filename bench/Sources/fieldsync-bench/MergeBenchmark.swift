import FieldSyncModel
import TestSupport

/// B4(a), the peers' W4 shape: 200 replicas × 50 field updates on 1,000 shared records, merged into one state.
///
/// Each replica starts from the same snapshot and edits from its own view (its second write to a field supersedes its
/// first), so the hub sees real concurrent heads. The timed part is applying all 10,000 mutations to a copy of the
/// snapshot; the same deltas applied in reverse order must give the same state, or the benchmark fails.
struct MergeBenchmark {
    let replicas = 200
    let updatesPerReplica = 50
    let recordCount = 1_000

    static let fields: [EntityKind: [String]] = [
        .customer: ["name", "phone", "email", "address", "region", "industry", "remarks", "owner"],
        .opportunity: ["title", "mainCompetitor", "lossReason", "owner", "closeDate", "amount", "stage", "customer"],
        .visit: ["purpose", "outcome", "nextStep", "rep", "plannedAt", "checkedInAt", "status", "customer"],
    ]
    static let kinds: [EntityKind] = [.customer, .opportunity, .visit]

    func value(_ field: String, replica: Int, update: Int) -> Value {
        switch field {
        case "amount": .money(Money(minor: Int64(replica * 1000 + update), currency: "CNY"))
        case "closeDate": .text("2027-0\(1 + update % 9)-1\(replica % 10)")
        case "plannedAt", "checkedInAt": .text("2026-11-2\(update % 10)T0\(replica % 10):00:00Z")
        case "stage": .text(OpportunityStage.all[(replica + update) % 8].name)
        case "status": .text(["planned", "completed", "cancelled", "missed"][(replica + update) % 4])
        case "customer": .text("r0")
        default: .text("\(field)-\(replica)-\(update)")
        }
    }

    /// Builds the snapshot and every replica's mutations, then times the merge; returns the result and whether both
    /// orders converged.
    func run(seed: UInt64) -> (seconds: Double, writes: Int, converged: Bool, conflicts: Int) {
        var generator = SeededGenerator(seed: seed)
        let origin = ReplicaID(trusted: "origin")
        var snapshot = Dataset()
        var seedWrites: [Write] = []
        for index in 0..<recordCount {
            let kind = Self.kinds[index % 3]
            let id = RecordID(trusted: "r\(index)")
            seedWrites.append(.create(record: id, entity: kind))
            for field in Self.fields[kind]! {
                seedWrites.append(
                    .set(record: id, field: field, value: value(field, replica: 0, update: index), bases: []))
            }
        }
        let seedMutation = Mutation(
            replica: origin, seq: 1, hlc: HLCTimestamp(wallMs: 1_000, counter: 0, replica: origin), writes: seedWrites)
        snapshot.apply(seedMutation, author: "origin")

        var deltas: [Mutation] = []
        deltas.reserveCapacity(replicas * updatesPerReplica)
        for replicaIndex in 0..<replicas {
            let replica = ReplicaID(trusted: "rep\(replicaIndex)")
            var clock = HybridLogicalClock(replica: replica)
            var ownHeads: [String: WriteID] = [:]
            for update in 0..<updatesPerReplica {
                let index = Int(generator.next() % UInt64(recordCount))
                let kind = Self.kinds[index % 3]
                let fields = Self.fields[kind]!
                let field = fields[Int(generator.next() % UInt64(fields.count))]
                let record = RecordID(trusted: "r\(index)")
                let key = "\(index)/\(field)"
                let bases = ownHeads[key].map { [$0] } ?? snapshot.records[record]!.fields[field]!.heads.map(\.id)
                let seq = UInt64(update + 1)
                let mutation = Mutation(
                    replica: replica, seq: seq, hlc: clock.now(physicalMs: 2_000 + Int64(update)),
                    writes: [
                        .set(
                            record: record, field: field, value: value(field, replica: replicaIndex, update: update),
                            bases: bases)
                    ])
                ownHeads[key] = mutation.writeID(0)
                deltas.append(mutation)
            }
        }
        var hub = snapshot
        let seconds = Stopwatch.time {
            for mutation in deltas { hub.apply(mutation, author: mutation.replica.rawValue) }
        }
        var reverse = snapshot
        for mutation in deltas.reversed() { reverse.apply(mutation, author: mutation.replica.rawValue) }
        return (seconds, deltas.count, hub == reverse, hub.conflicts().count)
    }
}
