import FieldSyncClient
import FieldSyncModel
import Foundation

/// The end-of-run checks: convergence, nothing lost, no duplicates, domain invariants, refused clocks.
struct SimulationCheck {
    let config: SimulationConfig
    let members: [Scenario.Member]
    let laptops: [SimLaptop]
    /// A laptop that must hold every live record of the server (an admin's), if the run has one.
    let admin: SimLaptop?
    /// Cards entered again for a customer the team had (original, duplicate): each must end merged.
    let planted: [(original: RecordID, duplicate: RecordID)]
    /// Writes that acknowledged edits made elsewhere than on these laptops (the console) saw.
    var seenElsewhere: Set<WriteID> = []
    /// The run's territories (a reused database may hold other runs' records).
    let territories: Set<String>
    let futureLaptop: SimLaptop?
    /// Every record on the server, deleted ones included, with its territory.
    let server: [RecordID: (territory: String, state: RecordState)]
    let restarts: Int
    /// Data folders copied, server restores, laptop clocks corrected.
    let copies: Int, restores: Int, clockCorrections: Int
    /// Laptops that started on the previous release, and those upgraded during the run.
    let oldReleases: Int, upgrades: Int
    let seconds: Double

    func report() throws -> SimulationReport {
        var violations: [String] = []
        let all = server.mapValues(\.state)
        let truth = all.filter { $0.value.exists }
        let territory = server.mapValues(\.territory)
        if let admin {
            let adminView = Dictionary(uniqueKeysWithValues: try admin.store.records().map { ($0.id, $0.state) })
            if adminView != truth {
                violations.append(
                    "the admin laptop holds \(adminView.count) records, the server \(truth.count) live ones")
            }
        }
        let membersByName = Dictionary(uniqueKeysWithValues: members.map { ($0.user, $0) })
        // Ids some acknowledged write built on: a write named so was seen and superseded, not lost.
        let rejectedByLaptop = try laptops.map { laptop in
            Dictionary(uniqueKeysWithValues: try laptop.store.rejected().map { ($0.seq, $0) })
        }
        let madeByLaptop = try laptops.map { try $0.madeAsAcknowledged() }
        // Installs of one data folder hold the same acknowledged mutations: one of them may have sent a refused
        // re-offer again under a new seq, and the write is then held under that id for all of them.
        var resent: [String: (replica: ReplicaID, seq: UInt64)] = [:]
        for laptop in laptops { resent.merge(try laptop.resentAs()) { first, _ in first } }
        // Also those of every acknowledged mutation a laptop keeps: a refused re-offer sent again by another install
        // of a copied folder is acknowledged there, not among what its maker made.
        var namedAsBase = Set(
            zip(madeByLaptop, rejectedByLaptop).flatMap { made, rejected in
                made.filter { rejected[$0.key] == nil }.values.flatMap { $0.writes.flatMap(\.bases) }
            })
        for laptop in laptops {
            namedAsBase.formUnion(try laptop.store.keptMutations().values.flatMap { $0.writes.flatMap(\.bases) })
        }
        namedAsBase.formUnion(seenElsewhere)

        var acknowledged = 0
        var refused = 0
        var lostWrites = 0
        var writesByOp: [String: Int] = [:]
        for ((laptop, made), rejected) in zip(zip(laptops, madeByLaptop), rejectedByLaptop) {
            let status = try laptop.store.status()
            if status.pending > 0 { violations.append("\(laptop.user) still has \(status.pending) edits pending") }
            // Convergence: the laptop shows exactly the server's state of what its user may see, as its schema
            // version sees it (a laptop on an older release is not shown the newer fields and entities).
            let schema = laptop.store.schema
            let seen =
                schema.version == Schema.fieldSync.version ? truth : truth.compactMapValues { $0.seen(by: schema) }
            let visible = self.visible(to: membersByName[laptop.user]!, territory: territory).filter {
                seen[$0] != nil
            }
            let local = Dictionary(uniqueKeysWithValues: try laptop.store.records().map { ($0.id, $0.state) })
            let differing = Set(local.keys).union(visible).filter { id in
                // A laptop's files hold current field names; its version names some fields otherwise.
                let shown = schema.version == Schema.fieldSync.version ? local[id] : local[id]?.seen(by: schema)
                return visible.contains(id) ? shown != seen[id] : true
            }
            if !differing.isEmpty {
                violations.append(
                    "\(laptop.user) differs from the server on \(differing.count) records, e.g. \(differing.sorted().prefix(3).map(\.rawValue))"
                )
            }
            // Nothing lost: every acknowledged write is live (a head, a tag, a note, a delete, a keep), or superseded by
            // an acknowledged write that saw it; every refused mutation is in the laptop's refused list with the
            // server's reason.
            for (seq, mutation) in made {
                if let refusal = rejected[seq] {
                    refused += 1
                    if refusal.reason.isEmpty {
                        violations.append("\(laptop.user) #\(seq) was refused without a reason")
                    }
                    continue
                }
                acknowledged += 1
                for (index, write) in mutation.writes.enumerated() {
                    writesByOp[write.op, default: 0] += 1
                    var id = WriteID(replica: mutation.replica, seq: seq, index: UInt32(index))
                    var held = RecordMerge.holds(write, id: id, named: namedAsBase) { all[$0] }
                    while !held, let next = resent["\(id.replica):\(id.seq)"], next.seq != id.seq {
                        id = WriteID(replica: next.replica, seq: next.seq, index: id.index)
                        held = RecordMerge.holds(write, id: id, named: namedAsBase) { all[$0] }
                    }
                    if !held {
                        lostWrites += 1
                        if lostWrites <= 5 { violations.append("\(laptop.user)'s acknowledged write \(id) is lost") }
                    }
                }
            }
        }
        if lostWrites > 5 { violations.append("\(lostWrites - 5) more acknowledged writes lost") }

        // No duplicates: every note text is unique by construction, so a note shown twice was applied twice.
        var noteCounts: [String: Int] = [:]
        for state in truth.values { for note in state.notes { noteCounts[note.text, default: 0] += 1 } }
        let duplicates = noteCounts.values.filter { $0 > 1 }.count
        if duplicates > 0 { violations.append("\(duplicates) notes applied more than once") }

        violations += invariants(truth)

        // Every duplicate the reps planted was found and merged (unless someone deleted one of the two meanwhile).
        var merged = 0
        for (original, duplicate) in planted {
            let (kept, other) = (
                RecordMerge.resolve(original) { all[$0] }, RecordMerge.resolve(duplicate) { all[$0] }
            )
            if kept == other {
                merged += 1
            } else if truth[kept] != nil && truth[other] != nil {
                violations.append("the duplicate \(duplicate) of \(original) was never merged")
            }
        }

        // A laptop days ahead: every one of its writes refused and reported to it, none applied.
        var futureRefused = 0
        if let futureLaptop {
            let rejected = try futureLaptop.store.rejected()
            futureRefused = rejected.count
            if rejected.count != futureLaptop.made.count {
                violations.append(
                    "the laptop 3 days ahead made \(futureLaptop.made.count) edits but \(rejected.count) were refused")
            }
        }

        var conflicts: [String: Int] = [:]
        // A reused database may hold other runs' records: count only this simulation's territories.
        let simulated = truth.filter { territory[$0.key].map(territories.contains) ?? false }
        for (id, state) in simulated {
            for conflict in state.conflicts(of: id) {
                conflicts["\(conflict.entity.rawValue).\(conflict.field ?? conflict.kind.rawValue)", default: 0] += 1
            }
        }
        let syncs = laptops.flatMap(\.syncSeconds).map { $0 * 1000 }.sorted()
        let everyone = laptops + (admin.map { [$0] } ?? [])
        let requests = everyone.map(\.transport.requests).reduce(0, +)
        var faults = laptops.map(\.transport.counts).reduce(FaultCounts(), +)
        faults.serverRestarts = restarts
        faults.folderCopies = copies
        faults.serverRestores = restores
        faults.clockCorrections = clockCorrections
        faults.oldReleases = oldReleases
        faults.upgrades = upgrades
        let notices = everyone.flatMap(\.notices)
        faults.newReplicaIDs = notices.count { $0.contains("now uses") }
        faults.heals = notices.count { $0.contains("restored from a backup") }
        faults.clocksRestamped = notices.count { $0.contains("clock had run ahead") }
        if copies > 0 && faults.newReplicaIDs < copies {
            violations.append(
                "\(copies) data folders were copied but only \(faults.newReplicaIDs) took a new replica id")
        }
        if clockCorrections > 0 && faults.clocksRestamped == 0 {
            violations.append("a laptop's clock was corrected but it never brought its clock back")
        }
        return SimulationReport(
            seed: config.seed, reps: config.reps, managers: config.managers, days: config.days,
            faults: config.faults.map(\.rawValue).sorted(),
            records: simulated.count,
            mutations: acknowledged + refused,
            acknowledged: acknowledged, refused: refused, acknowledgedWritesByOp: writesByOp,
            refusedFromFutureClock: futureRefused,
            conflictsByKind: conflicts, duplicatesPlanted: planted.count, duplicatesMerged: merged,
            injected: faults,
            interruptedSyncs: laptops.map(\.interruptedSyncs).reduce(0, +), syncs: syncs.count, requests: requests,
            seconds: seconds, requestsPerSecond: Double(requests) / max(seconds, 0.001),
            syncP50Ms: Self.percentile(syncs, 50), syncP99Ms: Self.percentile(syncs, 99), violations: violations,
            stateDigest: try Self.digest(server))
    }

    /// The records `member` may see.
    func visible(to member: Scenario.Member, territory: [RecordID: String]) -> Set<RecordID> {
        if member.role == .admin { return Set(territory.keys) }
        let allowed: Set<String> =
            member.role == .manager
            ? Set(members.filter { $0.team == member.team }.flatMap(\.territories)) : Set(member.territories)
        return Set(territory.filter { allowed.contains($0.value) }.keys)
    }

    /// The domain rules every simulated record must keep.
    func invariants(_ truth: [RecordID: RecordState]) -> [String] {
        var violations: [String] = []
        let stages = Set(OpportunityStage.all.map(\.name))
        for (id, state) in truth where state.exists {
            switch state.entity {
            case .visit:
                if state.value("status").text == "completed" {
                    guard let checkedIn = state.value("checkedInAt").text, let planned = state.value("plannedAt").text,
                        checkedIn >= planned
                    else {
                        violations.append("visit \(id) is completed before it was planned")
                        continue
                    }
                }
            case .opportunity:
                if let stage = state.value("stage").text, !stages.contains(stage) {
                    violations.append("opportunity \(id) has unknown stage \(stage)")
                }
            default: break
            }
            // A customer deleted after a child was made under it leaves the child in place; a child of a customer the
            // server never had would be a forged reference.
            if state.entity != .customer,
                state.value("customer").text.map({ server[RecordID(trusted: $0)] == nil }) ?? true
            {
                violations.append(
                    "\(state.entity?.rawValue ?? "record") \(id) points to a customer that never existed")
            }
        }
        return violations
    }

    /// FNV-1a over the records in id order, each as the compact JSON the server stores, with its territory.
    static func digest(_ records: [RecordID: (territory: String, state: RecordState)]) throws -> String {
        var hash = FNV1a()
        for id in records.keys.sorted() {
            let record = records[id]!
            hash.add("\(id.rawValue) \(record.territory) ".utf8)
            hash.add(record.state.compactJSON())
        }
        return String(hash.value, radix: 16)
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p / 100).rounded()))]
    }
}

/// What a simulation found: volumes, faults, conflicts, speed, and every violation.
public struct SimulationReport: Codable, Sendable {
    /// The seed that replays this run.
    public let seed: UInt64
    /// Reps, managers and days simulated.
    public let reps: Int, managers: Int, days: Int
    /// Faults injected.
    public let faults: [String]
    /// Records on the server at the end.
    public let records: Int
    /// Mutations made on laptops, acknowledged by the server, refused (and listed on the laptop).
    public let mutations: Int, acknowledged: Int, refused: Int
    /// Acknowledged writes by operation (create, set, add, remove, note, delete, restore), each checked as kept.
    public let acknowledgedWritesByOp: [String: Int]
    /// Refusals of the laptop stamped days ahead.
    public let refusedFromFutureClock: Int
    /// Open conflicts at the end, by `entity.field`.
    public let conflictsByKind: [String: Int]
    /// Duplicate customer cards the reps created (the same customer met twice), and how many a manager merged.
    public let duplicatesPlanted: Int, duplicatesMerged: Int
    /// How often each fault struck.
    public let injected: FaultCounts
    /// Syncs cut off by a fault and resumed later.
    public let interruptedSyncs: Int
    /// Completed syncs and HTTP requests.
    public let syncs: Int, requests: Int
    /// Wall time, and requests per second over it.
    public let seconds: Double, requestsPerSecond: Double
    /// Sync latency percentiles in ms.
    public let syncP50Ms: Double, syncP99Ms: Double
    /// Everything that broke a guarantee; empty when the run passed.
    public let violations: [String]
    /// A digest of every record on the server at the end (ids, values, timestamps, authors): two runs of one seed
    /// against the embedded server end on the same digest.
    public let stateDigest: String

    /// Whether every check passed.
    public var passed: Bool { violations.isEmpty }

    /// What the recovery faults did and how laptops answered.
    var faultLine: String {
        let lost = counted(injected.dropped, "answer")
        let doubled = counted(injected.duplicated, "push", plural: "pushes")
        let replayed = counted(injected.reordered, "old push", plural: "old pushes")
        let killed = counted(injected.killedInPush + injected.killedInPull, "laptop")
        let restarts = counted(injected.serverRestarts, "server restart")
        let cut = counted(interruptedSyncs, "sync")
        return "  faults struck: \(lost) lost, \(doubled) doubled, \(replayed) replayed, \(killed) killed, \(restarts);"
            + " \(cut) cut off and resumed"
    }

    var recoveryLine: String {
        let copies =
            "\(counted(injected.folderCopies, "data folder")) copied (\(counted(injected.newReplicaIDs, "new replica id")))"
        let restores =
            "\(counted(injected.serverRestores, "server restore")) (\(counted(injected.heals, "laptop heal")))"
        let clocks = "\(counted(injected.clockCorrections, "clock")) corrected (\(injected.clocksRestamped) restamped)"
        let releases =
            "\(counted(injected.oldReleases, "laptop")) on the previous release (\(injected.upgrades) upgraded)"
        return "  recovery: \(copies), \(restores), \(clocks), \(releases)"
    }

    /// The report for people.
    public var text: String {
        var lines = [
            "fieldsync-sim seed \(seed): \(reps) reps, \(managers) managers, \(days) days, faults \(faults.isEmpty ? "none" : faults.joined(separator: ","))",
            "  \(records) records; \(mutations) edits: \(acknowledged) acknowledged, \(refused) refused and listed on their laptops"
                + (refusedFromFutureClock > 0 ? " (\(refusedFromFutureClock) from the laptop 3 days ahead)" : ""),
            "  acknowledged writes checked: "
                + acknowledgedWritesByOp.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                    separator: ", "),
            faultLine,
            recoveryLine,
            "  duplicate cards: \(duplicatesPlanted) entered again by reps, \(duplicatesMerged) merged by managers",
            "  conflicts open: "
                + (conflictsByKind.isEmpty
                    ? "none"
                    : conflictsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            String(
                format: "  %d syncs, %d requests in %.1f s (%.0f requests/s); sync p50 %.1f ms, p99 %.1f ms", syncs,
                requests, seconds, requestsPerSecond, syncP50Ms, syncP99Ms),
            "  final state digest \(stateDigest)",
        ]
        if passed {
            lines.append("  PASSED: every laptop equals the server, nothing lost, no duplicates, invariants hold")
        } else {
            lines.append("  FAILED (replay with --seed \(seed)):")
            lines += violations.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
