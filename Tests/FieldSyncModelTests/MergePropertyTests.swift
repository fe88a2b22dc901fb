import FieldSyncModel
import Foundation
import TestSupport
import Testing

/// Seeded random schedules across many replicas: random edits on shared hot records, random delivery order,
/// duplicated and delayed deliveries. Every schedule must converge, lose nothing, apply duplicates once, and show the
/// same winners whatever the order of arrival.
///
/// `FIELDSYNC_PROPERTY_SCHEDULES` raises the number of schedules (default 1,000); `FIELDSYNC_PROPERTY_SEED` replays one.
@Suite struct MergePropertyTests {
    static let environment = ProcessInfo.processInfo.environment
    static let scheduleCount = Int(environment["FIELDSYNC_PROPERTY_SCHEDULES"] ?? "") ?? 1_000
    static let shards = 8

    @Test(arguments: 0..<shards)
    func randomSchedulesConvergeAndLoseNothing(shard: Int) {
        let seeds: [UInt64]
        if let replay = UInt64(Self.environment["FIELDSYNC_PROPERTY_SEED"] ?? "") {
            seeds = shard == 0 ? [replay] : []
        } else {
            seeds = stride(from: shard, to: Self.scheduleCount, by: Self.shards).map { UInt64($0) + 1 }
        }
        for seed in seeds {
            var schedule = PropertySchedule(seed: seed)
            let failures = schedule.run()
            if !failures.isEmpty {
                let details = failures.prefix(5).joined(separator: "\n")
                Issue.record(
                    "seed \(seed) failed (replay: FIELDSYNC_PROPERTY_SEED=\(seed) swift test --filter MergePropertyTests):\n\(details)"
                )
                return
            }
        }
    }
}

/// One random schedule: replicas edit and exchange mutations peer to peer until everyone has everything.
struct PropertySchedule {
    struct Replica {
        let id: ReplicaID
        var state = Dataset()
        var clock: HybridLogicalClock
        var nextSeq: UInt64 = 1
        var inbox: [Mutation] = []
    }

    let seed: UInt64
    var generator: SeededGenerator
    var replicas: [Replica] = []
    var log: [Mutation] = []
    var physicalMs: Int64 = 1_700_000_000_000

    init(seed: UInt64) {
        self.seed = seed
        self.generator = SeededGenerator(seed: seed)
    }

    static let hotRecords: [(RecordID, EntityKind)] = [
        (RecordID(trusted: "c1"), .customer), (RecordID(trusted: "c2"), .customer),
        (RecordID(trusted: "o1"), .opportunity), (RecordID(trusted: "o2"), .opportunity),
        (RecordID(trusted: "v1"), .visit),
    ]

    mutating func run() -> [String] {
        let count = Int.random(in: 3...8, using: &generator)
        replicas = (0..<count).map { index in
            let id = ReplicaID(trusted: "r\(index)")
            return Replica(id: id, clock: HybridLogicalClock(replica: id))
        }
        seedHotRecords()
        let steps = Int.random(in: 20...50, using: &generator)
        for _ in 0..<steps {
            physicalMs += Int64.random(in: 0...3, using: &generator)  // equal timestamps happen often
            if generator.chance(60) {
                edit(by: Int.random(in: 0..<replicas.count, using: &generator))
            } else {
                deliver(to: Int.random(in: 0..<replicas.count, using: &generator), everything: false)
            }
        }
        for index in replicas.indices.shuffled(using: &generator) { deliver(to: index, everything: true) }
        return check()
    }

    mutating func seedHotRecords() {
        var writes: [Write] = []
        for (id, entity) in Self.hotRecords {
            writes.append(.create(record: id, entity: entity))
            switch entity {
            case .customer:
                writes += [set(id, "name", .text("客户 \(id)")), set(id, "territory", .text("east"))]
            case .opportunity:
                writes += [
                    set(id, "customer", .text("c1")), set(id, "title", .text("Deal \(id)")),
                    set(id, "stage", .text("prospecting")),
                ]
            default:
                writes += [
                    set(id, "customer", .text("c2")), set(id, "plannedAt", .text("2026-11-25T02:00:00Z")),
                    set(id, "status", .text("planned")),
                ]
            }
        }
        let mutation = makeMutation(by: 0, writes)
        for index in replicas.indices { replicas[index].state.apply(mutation, author: "r0") }
    }

    func set(_ record: RecordID, _ field: String, _ value: Value, bases: [WriteID] = []) -> Write {
        .set(record: record, field: field, value: value, bases: bases)
    }

    mutating func makeMutation(by index: Int, _ writes: [Write]) -> Mutation {
        let hlc = replicas[index].clock.now(physicalMs: physicalMs + Int64(index % 2))
        let mutation = Mutation(replica: replicas[index].id, seq: replicas[index].nextSeq, hlc: hlc, writes: writes)
        replicas[index].nextSeq += 1
        log.append(mutation)
        return mutation
    }

    /// A replica edits one of the hot records it can see, basing every write on its own current view.
    mutating func edit(by index: Int) {
        let view = replicas[index].state
        let visible = Self.hotRecords.filter { view[$0.0] != nil }
        guard let (record, entity) = visible.randomElement(using: &generator), let state = view[record] else { return }
        func bases(_ field: String) -> [WriteID] { state.fields[field]?.heads.map(\.id) ?? [] }
        let roll = Int.random(in: 0..<100, using: &generator)
        var writes: [Write]
        switch (entity, roll) {
        case (_, 0..<4):
            writes = [.delete(record: record, bases: state.liveWriteIDs)]
        case (_, 4..<8) where !state.deletes.isEmpty:
            writes = [.restore(record: record, bases: state.deletes.map(\.id))]
        case (_, 8..<16):
            writes = [.note(record: record, text: "note \(seed)-\(log.count)")]
        case (.customer, 16..<40):
            let tag = ["vip", "华东", "key"].randomElement(using: &generator)!
            writes =
                generator.chance(50)
                ? [.add(record: record, field: "tags", element: tag)]
                : [
                    .remove(
                        record: record, field: "tags", element: tag, bases: state.tags["tags"]?.addIDs(of: tag) ?? [])
                ]
        case (.customer, _):
            let field = ["phone", "class"].randomElement(using: &generator)!
            let value: Value =
                field == "phone"
                ? .text("0571-\(Int.random(in: 1000...1020, using: &generator))")
                : .text(["A", "B", "C", "D"].randomElement(using: &generator)!)
            writes = [set(record, field, value, bases: bases(field))]
        case (.opportunity, _):
            if generator.chance(60) {
                let stage = OpportunityStage.all.randomElement(using: &generator)!.name
                writes = [set(record, "stage", .text(stage), bases: bases("stage"))]
            } else {
                writes = [
                    set(
                        record, "amount",
                        .money(Money(minor: Int64.random(in: 0...1_000_000, using: &generator), currency: "CNY")),
                        bases: bases("amount"))
                ]
            }
        default:
            let status = ["planned", "completed", "cancelled", "missed"].randomElement(using: &generator)!
            writes = [set(record, "status", .text(status), bases: bases("status"))]
        }
        let candidate = Mutation(
            replica: replicas[index].id, seq: replicas[index].nextSeq,
            hlc: HLCTimestamp(wallMs: physicalMs, counter: 0, replica: replicas[index].id), writes: writes)
        guard (try? Schema.fieldSync.validate(candidate, entityOf: view.entity(of:))) != nil else {
            preconditionFailure("seed \(seed): the schedule generated an invalid write: \(writes)")
        }
        let mutation = makeMutation(by: index, writes)
        replicas[index].state.apply(mutation, author: replicas[index].id.rawValue)
        for other in replicas.indices where other != index { replicas[other].inbox.append(mutation) }
    }

    /// Delivers some (or all) of a replica's inbox in random order, sometimes keeping a copy to deliver again.
    mutating func deliver(to index: Int, everything: Bool) {
        var inbox = replicas[index].inbox.shuffled(using: &generator)
        let count = everything ? inbox.count : Int.random(in: 0...inbox.count, using: &generator)
        let delivered = Array(inbox.prefix(count))
        inbox.removeFirst(count)
        for mutation in delivered {
            replicas[index].state.apply(mutation, author: mutation.replica.rawValue)
            try? replicas[index].clock.receive(mutation.hlc, physicalMs: physicalMs)
            if !everything && generator.chance(10) { inbox.append(mutation) }  // a duplicate arrives later
        }
        if everything {
            for mutation in delivered where generator.chance(10) {
                replicas[index].state.apply(mutation, author: mutation.replica.rawValue)  // and again, now
            }
        }
        replicas[index].inbox = inbox
    }

    func check() -> [String] {
        var failures: [String] = []
        let reference = replicas[0].state
        for replica in replicas.dropFirst() where replica.state != reference {
            failures.append("replica \(replica.id) diverged from r0")
        }
        var replay = Dataset()
        var generator = SeededGenerator(seed: seed ^ 0xABCD)
        for mutation in (log + log.filter { _ in generator.chance(20) }).shuffled(using: &generator) {
            replay.apply(mutation, author: mutation.replica.rawValue)
        }
        if replay != reference {
            failures.append("applying the log in another order (with duplicates) gave another state")
        }
        var again = reference
        for mutation in log { again.apply(mutation, author: mutation.replica.rawValue) }
        if again != reference { failures.append("re-applying every mutation changed the state") }

        for (id, state) in reference.records {
            let decoded = try? JSONDecoder().decode(RecordState.self, from: JSONEncoder().encode(state))
            if decoded != state { failures.append("\(id) does not survive its JSON encoding") }
            let compact = try? JSONDecoder().decode(RecordState.self, from: Data(state.compactJSON()))
            if compact != state { failures.append("\(id) does not survive its hand-written compact JSON") }
        }
        let model = ReferenceModel(log: log)
        let conflictIDs = Set(reference.conflicts().map(\.id))
        for (record, entity) in Self.hotRecords {
            guard let state = reference.records[record] else { failures.append("\(record) missing"); continue }
            for field in ["phone", "class", "stage", "amount", "status"] where Schema.fieldSync[entity][field] != nil {
                let heads = state.fields[field]?.heads.map(\.id) ?? []
                let expected = model.heads(record, field)
                if heads != expected { failures.append("\(record).\(field) heads \(heads) ≠ reference \(expected)") }
                let winner = model.winner(entity, field, heads: expected)
                if state.value(field) != winner {
                    failures.append("\(record).\(field) shows \(state.value(field)) ≠ reference \(winner)")
                }
                if expected.count > 1 && !conflictIDs.contains("\(record)/\(field)") {
                    failures.append("\(record).\(field) has \(expected.count) heads but no conflict is listed")
                }
            }
            if entity == .customer, state.elements("tags") != model.tags(record) {
                failures.append("\(record).tags \(state.elements("tags")) ≠ reference \(model.tags(record))")
            }
            if state.notes.map(\.text) != model.notes(record) {
                failures.append("\(record) notes differ from the reference")
            }
            if !state.deletes.isEmpty && state.exists && !conflictIDs.contains("\(record)/delete") {
                failures.append("\(record) survived a delete but no delete conflict is listed")
            }
        }
        failures += lostWrites(in: reference, model: model)
        return failures
    }

    /// Nothing lost: every set write is a head of its field, or named as a base by a write that saw it.
    func lostWrites(in state: Dataset, model: ReferenceModel) -> [String] {
        model.writes.compactMap { entry in
            guard case .set(let record, let field, _, _) = entry.write else { return nil }
            let isHead = state.records[record]?.fields[field]?.heads.contains { $0.id == entry.id } ?? false
            return isHead || model.setBases.contains(entry.id) ? nil : "write \(entry.id) was lost"
        }
    }
}
