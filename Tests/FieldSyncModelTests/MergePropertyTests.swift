import FieldSyncModel
import Foundation
import TestSupport
import Testing

/// Seeded random schedules across many replicas: every operation kind (creates, including concurrent creates of one
/// id with different entities; sets; tag adds and removes; notes; deletes; restores; value and delete resolutions;
/// multi-write mutations) on every entity and winner rule, with references and territory moves, random delivery order
/// (bases often name writes the receiver has not got), duplicated and delayed deliveries. Every schedule must converge,
/// equal an independent reference model, list every conflict, lose no write of any kind, and apply duplicates once.
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

    static func id(_ text: String) -> RecordID { RecordID(trusted: text) }
    /// Records every replica starts with, one of each entity.
    static let hotRecords: [(RecordID, EntityKind)] = [
        (id("c1"), .customer), (id("c2"), .customer), (id("k1"), .contact), (id("v1"), .visit),
        (id("o1"), .opportunity), (id("p1"), .complaint), (id("i1"), .lineItem),
    ]
    /// Ids replicas create during the schedule, often concurrently and with different entities.
    static let newIDs = [id("n1"), id("n2"), id("n3")]
    /// The scalar fields edited per entity.
    static let editedFields: [EntityKind: [String]] = [
        .customer: ["phone", "class", "territory", "region"],
        .contact: ["name", "phone", "customer"],
        .visit: ["status", "plannedAt", "outcome"],
        .opportunity: ["stage", "amount", "customer"],
        .complaint: ["step", "department"],
        .lineItem: ["quantity", "product"],
    ]

    mutating func run() -> [String] {
        let count = Int.random(in: 3...7, using: &generator)
        replicas = (0..<count).map { index in
            let id = ReplicaID(trusted: "r\(index)")
            return Replica(id: id, clock: HybridLogicalClock(replica: id))
        }
        seedHotRecords()
        let steps = Int.random(in: 20...60, using: &generator)
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
        for (id, entity) in Self.hotRecords { writes += creation(id, entity) }
        let mutation = makeMutation(by: 0, writes)
        for index in replicas.indices { replicas[index].state.apply(mutation, author: "r0") }
    }

    /// A create with the entity's required fields (children under c1 or c2).
    func creation(_ id: RecordID, _ entity: EntityKind, customer: String = "c1") -> [Write] {
        var writes: [Write] = [.create(record: id, entity: entity)]
        switch entity {
        case .customer: writes += [set(id, "name", .text("客户 \(id)")), set(id, "territory", .text("east"))]
        case .contact: writes += [set(id, "customer", .text(customer)), set(id, "name", .text("联系人 \(id)"))]
        case .visit:
            writes += [
                set(id, "customer", .text(customer)), set(id, "plannedAt", .text("2026-11-25T02:00:00Z")),
                set(id, "status", .text("planned")),
            ]
        case .opportunity:
            writes += [
                set(id, "customer", .text(customer)), set(id, "title", .text("Deal \(id)")),
                set(id, "stage", .text("prospecting")),
            ]
        case .complaint:
            writes += [
                set(id, "customer", .text(customer)), set(id, "category", .text("quality")),
                set(id, "step", .text("recorded")),
            ]
        case .lineItem:
            writes += [
                set(id, "customer", .text(customer)), set(id, "opportunity", .text("o1")),
                set(id, "product", .text("产品 \(id)")), set(id, "quantity", .integer(3)),
                set(id, "unitPrice", .money(Money(minor: 9_900, currency: "CNY"))),
            ]
        }
        return writes
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

    /// A random value for `field` of `entity`, or `nil` when there is none to give (no customer to refer to).
    mutating func value(_ field: String, of entity: EntityKind, view: Dataset) -> Value? {
        switch (entity, field) {
        case (_, "customer"): return view.ids(of: .customer).randomElement(using: &generator).map { .text($0.rawValue) }
        case (.customer, "class"): return .text(["A", "B", "C", "D"].randomElement(using: &generator)!)
        case (.customer, "territory"): return .text(["east", "west", "north"].randomElement(using: &generator)!)
        case (.visit, "status"):
            return .text(["planned", "completed", "cancelled", "missed"].randomElement(using: &generator)!)
        case (.visit, "plannedAt"): return .text("2026-11-2\(Int.random(in: 1...9, using: &generator))T02:00:00Z")
        case (.opportunity, "stage"): return .text(OpportunityStage.all.randomElement(using: &generator)!.name)
        case (.opportunity, "amount"):
            return .money(Money(minor: Int64.random(in: 0...1_000_000, using: &generator), currency: "CNY"))
        case (.complaint, "step"): return .text(ComplaintStep.names.randomElement(using: &generator)!)
        case (.lineItem, "quantity"): return .integer(Int64.random(in: 1...50, using: &generator))
        default: return .text("\(field) \(Int.random(in: 1000...1020, using: &generator))")
        }
    }

    /// A replica makes one edit of a random kind, basing every write on its own current view.
    mutating func edit(by index: Int) {
        let view = replicas[index].state
        let roll = Int.random(in: 0..<100, using: &generator)
        var writes: [Write] = []
        if roll < 6 {
            // A create of a shared new id: another replica may be creating it at the same time, as something else.
            guard let id = Self.newIDs.filter({ view.records[$0]?.entity == nil }).randomElement(using: &generator)
            else { return }
            let entity: EntityKind = [.customer, .contact, .complaint].randomElement(using: &generator)!
            guard let customer = view.ids(of: .customer).randomElement(using: &generator) else { return }
            writes = creation(id, entity, customer: customer.rawValue)
        } else {
            let candidates = (Self.hotRecords.map(\.0) + Self.newIDs).filter { view[$0] != nil }
            guard let record = candidates.randomElement(using: &generator), let state = view[record],
                let entity = state.entity
            else { return }
            func bases(_ field: String) -> [WriteID] { state.fields[field]?.heads.map(\.id) ?? [] }
            let fields = Self.editedFields[entity]!
            switch roll {
            case 6..<11:
                writes = [.delete(record: record, bases: state.liveWriteIDs)]
            case 11..<17 where !state.deletes.isEmpty:
                // Resolving a delete conflict: keep the record, or delete it having seen everything.
                writes = [
                    generator.chance(50)
                        ? .restore(record: record, bases: state.deletes.map(\.id))
                        : .delete(record: record, bases: state.liveWriteIDs)
                ]
            case 11..<24:
                writes = [.note(record: record, text: "note \(seed)-\(log.count)")]
            case 24..<38 where entity == .customer:
                let tag = ["vip", "华东", "key"].randomElement(using: &generator)!
                writes = [
                    generator.chance(50)
                        ? .add(record: record, field: "tags", element: tag)
                        : .remove(
                            record: record, field: "tags", element: tag,
                            bases: state.tags["tags"]?.addIDs(of: tag) ?? [])
                ]
            case 38..<48:
                // Resolving a value conflict: one of its values over every head, with a note saying why.
                guard let (field, conflict) = state.fields.filter({ $0.value.isConflict }).min(by: { $0.key < $1.key }),
                    let chosen = conflict.heads.randomElement(using: &generator)
                else { fallthrough }
                writes = [
                    set(record, field, chosen.value, bases: conflict.heads.map(\.id)),
                    .note(record: record, text: "resolved \(field) \(seed)-\(log.count)"),
                ]
            case 48..<58:
                for field in fields.shuffled(using: &generator).prefix(2) {
                    guard let value = value(field, of: entity, view: view) else { continue }
                    writes.append(set(record, field, value, bases: bases(field)))
                }
            default:
                let field = fields.randomElement(using: &generator)!
                guard let value = value(field, of: entity, view: view) else { return }
                writes = [set(record, field, value, bases: bases(field))]
            }
        }
        guard !writes.isEmpty else { return }
        let candidate = Mutation(
            replica: replicas[index].id, seq: replicas[index].nextSeq,
            hlc: HLCTimestamp(wallMs: physicalMs, counter: 0, replica: replicas[index].id), writes: writes)
        // Only valid mutations travel (the app and the server refuse the rest): a resolution may pick a reference to
        // a customer deleted since.
        guard (try? Schema.fieldSync.validate(candidate, entityOf: view.entity(of:))) != nil else { return }
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
            // The one-pass reader reads what servers store and send; a state with parts they never send is left to
            // Codable.
            let plain =
                state.fields.values.allSatisfy(\.superseded.isEmpty)
                && state.tags.values.allSatisfy(\.removed.isEmpty) && state.restored.isEmpty
            let read = RecordState(compactJSON: state.compactJSON())
            if read.map({ $0 != state }) ?? plain { failures.append("\(id) is not read back by its one-pass reader") }
        }
        for mutation in log {
            let compact = mutation.compactJSON()
            if (try? JSONDecoder().decode(Mutation.self, from: Data(compact))) != mutation {
                failures.append("\(mutation.key) does not survive its hand-written compact JSON")
            }
            let encoded = (try? JSONEncoder().encode(mutation)).map(Array.init) ?? []
            if MutationReader.mutation(compact) != mutation || MutationReader.mutation(encoded) != mutation {
                failures.append("\(mutation.key) is not read back by MutationReader")
            }
        }
        let model = ReferenceModel(log: log)
        failures += Self.compare(reference, with: model)
        failures += Self.lostWrites(in: reference, model: model)
        return failures
    }

    /// Every record against the reference: entity, existence, heads and winners, tags, notes, deletes, conflicts.
    static func compare(_ dataset: Dataset, with model: ReferenceModel) -> [String] {
        var failures: [String] = []
        let conflicts = Dictionary(grouping: dataset.conflicts(), by: \.record)
        for record in model.records {
            guard let state = dataset.records[record] else {
                failures.append("\(record) missing")
                continue
            }
            let entity = model.entity(record)
            if state.entity != entity {
                failures.append("\(record) is a \(String(describing: state.entity)), not \(String(describing: entity))")
            }
            if state.exists != model.exists(record) {
                failures.append("\(record) exists: \(state.exists) ≠ reference \(model.exists(record))")
            }
            var expectedConflicts: Set<String> = []
            for field in model.fields(record) {
                let heads = Set(state.fields[field]?.heads.map(\.id) ?? [])
                let expected = model.heads(record, field)
                if heads != expected { failures.append("\(record).\(field) heads \(heads) ≠ reference \(expected)") }
                let winner = model.winner(entity, field, heads: expected)
                if state.value(field) != winner {
                    failures.append("\(record).\(field) shows \(state.value(field)) ≠ reference \(winner)")
                }
                let values = Set(
                    expected.compactMap { id -> Value? in
                        if case .set(_, _, let value, _) = model.entry(id)?.write { return value }
                        return nil
                    })
                if values.count > 1 && entity != nil { expectedConflicts.insert("\(record.rawValue)/\(field)") }
            }
            if state.elements("tags") != model.tags(record) {
                failures.append("\(record).tags \(state.elements("tags")) ≠ reference \(model.tags(record))")
            }
            if state.notes.map(\.id) != model.notes(record).map(\.0) {
                failures.append("\(record) notes differ from the reference")
            }
            if Set(state.deletes.map(\.id)) != Set(model.liveDeletes(record).map(\.id)) {
                failures.append("\(record) live deletes differ from the reference")
            }
            let deleteConflict = !model.liveDeletes(record).isEmpty && !model.isDeleted(record) && entity != nil
            if deleteConflict { expectedConflicts.insert("\(record.rawValue)/delete") }
            let listed = conflicts[record] ?? []
            if Set(listed.map(\.id)) != expectedConflicts {
                failures.append(
                    "\(record) lists conflicts \(listed.map(\.id).sorted()) ≠ reference \(expectedConflicts.sorted())")
            }
            // Every losing write is listed with its value, author and time.
            for conflict in listed {
                let expected =
                    conflict.kind == .delete ? model.unseen(record) : model.heads(record, conflict.field ?? "")
                if Set(conflict.heads.map(\.id)) != expected {
                    failures.append("\(conflict.id) lists \(conflict.heads.map(\.id)) ≠ reference \(expected.sorted())")
                }
                for head in conflict.heads {
                    guard let entry = model.entry(head.id) else { continue }
                    if head.author != entry.author || head.hlc != entry.hlc {
                        failures.append("\(conflict.id) lists \(head.id) without its author and time")
                    }
                    if case .set(_, _, let value, _) = entry.write, head.value != value {
                        failures.append("\(conflict.id) lists \(head.id) with another value")
                    }
                }
            }
        }
        return failures
    }

    /// Nothing lost, for every kind of write (../shared/RELIABILITY.md): each write is live in its record, or
    /// superseded by a write that named it; a live delete of a record still shown is listed as a delete conflict;
    /// each note is there exactly once.
    static func lostWrites(in dataset: Dataset, model: ReferenceModel) -> [String] {
        let named = Set(model.writes.flatMap(\.write.bases))
        return model.writes.compactMap { entry -> String? in
            guard let state = dataset.records[entry.write.record] else { return "write \(entry.id) was lost" }
            let record = entry.write.record
            let kept: Bool
            switch entry.write {
            case .create: kept = state.creation != nil && state.entity == model.entity(record)
            case .set(_, let field, _, _):
                kept = named.contains(entry.id) || state.fields[field]?.heads.contains { $0.id == entry.id } == true
            case .add(_, let field, _):
                kept = named.contains(entry.id) || state.tags[field]?.liveAdds.contains { $0.id == entry.id } == true
            case .remove(_, let field, let element, let bases):
                kept = Set(state.tags[field]?.addIDs(of: element) ?? []).isDisjoint(with: bases)
            case .note:
                kept = state.notes.filter { $0.id == entry.id }.count == 1
            case .delete:
                let live = state.deletes.contains { $0.id == entry.id }
                kept =
                    named.contains(entry.id)
                    || (live && (state.isDeleted || state.conflicts(of: record).contains { $0.kind == .delete }))
            case .restore(_, let bases):
                kept =
                    state.keeps.contains { $0.id == entry.id }
                    && Set(state.deletes.map(\.id)).isDisjoint(with: bases)
            case .merge:
                kept = state.merged != nil
            }
            return kept ? nil : "\(entry.write.op) \(entry.id) was lost"
        }
    }
}
