import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import Synchronization
import TestSupport
import Testing

/// Seeded random schedules of laptops working offline and syncing in random order over real HTTP with a real server
/// and real SQLite files: every operation kind (creates of every entity, sets including ranked fields and references,
/// tag adds and removes, notes, deletes, keeps and deletes of delete conflicts, value resolutions, multi-write
/// edits, an admin moving customers between territories and changing reps' territories (their laptops and their
/// manager's catch up with the change), managers merging customers that others edit offline), lost
/// responses, pulls of a few records per page while
/// acknowledged edits are pending, and laptops killed between pages and reopened from disk. The team is mixed: some
/// laptops speak schema version 1 (as the first release) and may upgrade to version 2 with edits still pending,
/// others speak version 2 and write its fields and line items. At the end every laptop shows exactly the server's
/// state of what its user may see, as its version sees it, nothing is pending, every refusal says why, and every
/// acknowledged write of every kind is held by the server (a version-2 field survives every version-1 edit).
///
/// `FIELDSYNC_SYNC_SCHEDULES` sets the number of schedules (default 50); `FIELDSYNC_SYNC_SEED` replays one.
@Suite struct SyncPropertyTests {
    static let environment = ProcessInfo.processInfo.environment

    static var seeds: [UInt64] {
        if let seed = UInt64(environment["FIELDSYNC_SYNC_SEED"] ?? "") { return [seed] }
        return (1...(UInt64(environment["FIELDSYNC_SYNC_SCHEDULES"] ?? "") ?? 50)).map { $0 }
    }

    @Test(arguments: seeds)
    func laptopsConvergeAndLoseNothing(seed: UInt64) async throws {
        var schedule = try await SyncSchedule(seed: seed)
        defer { schedule.server.stop() }
        try await schedule.run()
        let failures = try await schedule.check()
        #expect(
            failures.isEmpty,
            "seed \(seed) (replay: FIELDSYNC_SYNC_SEED=\(seed) swift test --filter FieldSyncClientTests.SyncPropertyTests/):\n\(failures.prefix(8).joined(separator: "\n"))"
        )
    }
}

/// A transport that can be told to kill the laptop after a number of pull pages or push answers.
final class KillingTransport: SyncTransport {
    struct Killed: Error {}
    private let http: HTTPTransport
    /// Pull pages still served before the kill; `nil`: never.
    let pagesLeft = Mutex<Int?>(nil)
    /// Pushes still answered before the kill; the one after is committed by the server and its answer lost (with
    /// batches pipelined, while the laptop stores the answer before); `nil`: never.
    let pushesLeft = Mutex<Int?>(nil)
    /// The schema version the laptop speaks (raised when it upgrades).
    let schemaVersion: Mutex<Int>

    init(_ inner: HTTPTransport, schemaVersion: Int) {
        self.http = inner
        self.schemaVersion = Mutex(schemaVersion)
    }

    private var inner: HTTPTransport {
        var transport = http
        transport.schemaVersion = schemaVersion.withLock { $0 }
        return transport
    }

    func login(_ request: LoginRequest) async throws -> LoginResponse { try await inner.login(request) }
    func registerReplica(_ request: ReplicaRequest, token: String) async throws -> ReplicaResponse {
        try await inner.registerReplica(request, token: token)
    }
    func push(_ request: PushRequest, token: String, schemaVersion: Int) async throws -> (PushResponse, bytes: Int) {
        let answer = try await inner.push(request, token: token, schemaVersion: schemaVersion)
        if Self.countDown(pushesLeft) { throw Killed() }
        return answer
    }
    func pull(cursor: String, limit: Int, token: String) async throws -> Data {
        if Self.countDown(pagesLeft) { throw Killed() }
        return try await inner.pull(cursor: cursor, limit: limit, token: token)
    }

    /// Counts one down; true when none was left.
    private static func countDown(_ left: borrowing Mutex<Int?>) -> Bool {
        left.withLock { left in
            guard let count = left else { return false }
            left = count - 1
            return count <= 0
        }
    }
    func history(of record: RecordID, token: String) async throws -> HistoryResponse {
        try await inner.history(of: record, token: token)
    }
    func logout(token: String) async throws { try await inner.logout(token: token) }
}

/// One schedule: who edits what, who syncs when, which laptop is killed between pull pages.
struct SyncSchedule {
    final class Laptop {
        let user: String
        let directory: String
        let transport: KillingTransport
        let token: String
        var store: LocalStore
        /// The schema version the laptop speaks.
        var schema: Schema { store.schema }

        init(user: String, directory: String, transport: KillingTransport, token: String, store: LocalStore) {
            self.user = user
            self.directory = directory
            self.transport = transport
            self.token = token
            self.store = store
        }

        /// Syncs with `pageSize` records per pull page and `pushSize` mutations per push (pipelined when more wait).
        func sync(pageSize: Int, pushSize: Int = 500) async throws {
            var engine = SyncEngine(store: store, transport: transport, token: token)
            engine.pullLimit = pageSize
            engine.pushBatch = pushSize
            _ = try await engine.sync()
        }
    }

    let seed: UInt64
    let server: LiveServer
    var random: SeededGenerator
    var laptops: [Laptop] = []
    /// Every mutation made, by laptop user and seq.
    var made: [(user: String, mutation: Mutation)] = []
    var kills = 0
    var upgrades = 0

    /// Who sees which territories now (mia manages team north: ana and carl); `nil` is every territory.
    var visible: [String: Set<String>?] = [
        "ana": ["east"], "carl": ["east"], "mia": ["east"], "bo": ["west"], "root": nil,
    ]
    var territoryChanges = 0

    init(seed: UInt64) async throws {
        self.seed = seed
        random = SeededGenerator(seed: seed)
        server = try await LiveServer.start()
        let users = ["ana", "carl", "mia", "bo", "root"].filter { $0 == "ana" || $0 == "bo" || random.chance(70) }
        for user in users {
            let directory = server.directory.appendingPathComponent("laptop-\(user)").path
            let version = random.chance(40) ? 1 : Schema.fieldSync.version
            let store = try LocalStore(directory: directory, schema: Schema.fieldSync(version: version)!)
            let transport = KillingTransport(try HTTPTransport(server: server.url), schemaVersion: version)
            let response = try await transport.login(
                store.loginRequest(user: user, password: LiveServer.password))
            try store.startSession(response, server: server.url)
            laptops.append(
                Laptop(user: user, directory: directory, transport: transport, token: response.token, store: store))
        }
    }

    mutating func run() async throws {
        // Each territory starts with customers and one child of each kind.
        for laptop in laptops where laptop.user == "ana" || laptop.user == "bo" {
            let territory = laptop.user == "ana" ? "east" : "west"
            for index in 0..<3 {
                edit(laptop) { builder in
                    let customer = try builder.create(.customer)
                    try builder.set(customer, "name", .text("\(territory) 客户 \(index)"))
                    try builder.set(customer, "territory", .text(territory))
                }
            }
            try await laptop.sync(pageSize: 50)
        }
        for laptop in laptops { try await laptop.sync(pageSize: 50) }
        for step in 0..<50 {
            let laptop = laptops.randomElement(using: &random)!
            let roll = Int.random(in: 0..<100, using: &random)
            switch roll {
            case 0..<70: act(laptop, roll: roll, step: step)
            case 70..<77:
                // The response is lost after the server committed: the laptop does not learn the result.
                let batch = try laptop.store.pendingBatch()
                if !batch.isEmpty {
                    _ = try await laptop.transport.push(PushRequest(mutations: batch), token: laptop.token)
                }
            case 77..<86:
                // Killed between pull pages, or between pushes (one committed, its answer lost, while the laptop
                // stores the answer before), then reopened from its files.
                if Bool.random(using: &random) {
                    laptop.transport.pagesLeft.withLock { $0 = Int.random(in: 1...2, using: &random) }
                } else {
                    laptop.transport.pushesLeft.withLock { $0 = Int.random(in: 0...2, using: &random) }
                }
                do {
                    try await laptop.sync(pageSize: 2, pushSize: Int.random(in: 1...3, using: &random))
                } catch is KillingTransport.Killed {
                    kills += 1
                }
                laptop.transport.pagesLeft.withLock { $0 = nil }
                laptop.transport.pushesLeft.withLock { $0 = nil }
                laptop.store = try LocalStore(directory: laptop.directory, schema: laptop.schema)
            case 90..<95:
                // An admin gives a rep other territories: their laptop, and their manager's, catch up on next sync.
                let rep = ["ana", "carl", "bo"].randomElement(using: &random)!
                let territories = [["east"], ["west"], ["east", "west"]].randomElement(using: &random)!
                try await server.store.setTerritories(of: rep, to: territories)
                try await learnViews()
                territoryChanges += 1
            case 86..<90 where laptop.schema.version < Schema.fieldSync.version:
                // The laptop gets the new release, with edits made under version 1 still pending.
                laptop.store = try LocalStore(directory: laptop.directory, schema: .fieldSync)
                laptop.transport.schemaVersion.withLock { $0 = Schema.fieldSync.version }
                upgrades += 1
            default:
                try await laptop.sync(
                    pageSize: Int.random(in: 2...5, using: &random), pushSize: Int.random(in: 1...4, using: &random))
            }
        }
        for _ in 0..<2 {
            for laptop in laptops { try await laptop.sync(pageSize: 3) }
        }
    }

    /// Reads who sees what from the server, by the server's own rule.
    mutating func learnViews() async throws {
        for user in try await server.store.users() {
            let team = Visibility.dependsOnTeam(user.role) ? try await server.store.territories(ofTeam: user.team) : []
            visible[user.name] = Visibility.territories(of: user, teamTerritories: team)
        }
    }

    /// Makes one edit through the real mutation builder; an edit the laptop refuses (the record left its view) is
    /// not made.
    mutating func edit(_ laptop: Laptop, _ build: (inout MutationBuilder) throws -> Void) {
        if let mutation = try? laptop.store.edit(summary: "step", build) { made.append((laptop.user, mutation)) }
    }

    /// One offline edit of a random kind.
    mutating func act(_ laptop: Laptop, roll: Int, step: Int) {
        let records = (try? laptop.store.records()) ?? []
        let customers = records.filter { $0.state.entity == .customer }
        guard let customer = customers.randomElement(using: &random)?.id,
            let record = records.randomElement(using: &random)
        else { return }
        let entity = record.state.entity ?? .customer
        var random = self.random
        defer { self.random = random }
        switch roll {
        case 0..<8:
            let kind = EntityKind.allCases.filter(laptop.schema.has).randomElement(using: &random)!
            let opportunity = records.filter { $0.state.entity == .opportunity }.randomElement(using: &random)
            guard kind != .lineItem || opportunity != nil else { return }
            let territory = visible[laptop.user]??.sorted().first ?? "east"
            edit(laptop) { builder in
                let id = try builder.create(kind)
                switch kind {
                case .customer:
                    try builder.set(id, "name", .text("new \(step)"))
                    try builder.set(id, "territory", .text(territory))
                case .contact:
                    try builder.set(id, "customer", .text(customer.rawValue))
                    try builder.set(id, "name", .text("联系人 \(step)"))
                case .visit:
                    try builder.set(id, "customer", .text(customer.rawValue))
                    try builder.set(id, "plannedAt", .text("2026-12-0\(step % 9 + 1)T02:00:00Z"))
                    try builder.set(id, "status", .text("planned"))
                case .opportunity:
                    try builder.set(id, "customer", .text(customer.rawValue))
                    try builder.set(id, "title", .text("Deal \(step)"))
                    try builder.set(id, "stage", .text("prospecting"))
                case .complaint:
                    try builder.set(id, "customer", .text(customer.rawValue))
                    try builder.set(id, "category", .text("delivery"))
                case .lineItem:
                    let deal = opportunity!.state.value("customer")
                    try builder.set(id, "customer", deal)
                    try builder.set(id, "opportunity", .text(opportunity!.id.rawValue))
                    try builder.set(id, "product", .text("产品 \(step)"))
                    try builder.set(id, "quantity", .integer(Int64(step % 7 + 1)))
                    try builder.set(id, "unitPrice", .money(Money(minor: 12_500, currency: "CNY")))
                }
            }
        case 8..<13:
            edit(laptop) { try $0.delete(record.id) }
        case 13..<20:
            for conflict in (try? laptop.store.conflicts()) ?? [] {
                let chosen = conflict.heads.randomElement(using: &random)
                let keep = random.chance(60)
                edit(laptop) { builder in
                    switch conflict.kind {
                    case .delete: keep ? try builder.restore(conflict.record) : try builder.delete(conflict.record)
                    case .value: try builder.set(conflict.record, conflict.field!, chosen!.value)
                    }
                }
            }
        case 20..<30:
            let tag = ["vip", "华东", "key"].randomElement(using: &random)!
            let add = random.chance(55)
            edit(laptop) { add ? try $0.add(customer, "tags", tag) : try $0.remove(customer, "tags", tag) }
        case 30..<38:
            let text = "note \(seed)-\(step)-\(laptop.user)"
            edit(laptop) { try $0.note(record.id, text) }
        case 38..<44 where laptop.user == "root":
            let to = random.chance(50) ? "east" : "west"
            edit(laptop) { try $0.set(customer, "territory", .text(to)) }
        case 44..<50 where laptop.user == "mia" || laptop.user == "root":
            // A manager merges two cards of their view: offline edits to the one merged then arrive after it.
            guard let kept = customers.filter({ $0.id != customer }).randomElement(using: &random)?.id else { return }
            edit(laptop) { try $0.merge(customer, into: kept) }
        default:
            let fields = Self.fields[entity]!.filter { laptop.schema.has(entity) && laptop.schema[entity][$0] != nil }
            let count = roll < 50 ? 2 : 1
            let chosen = fields.shuffled(using: &random).prefix(count).map { ($0, Self.value($0, entity, &random)) }
            edit(laptop) { builder in
                for (field, value) in chosen { try builder.set(record.id, field, value) }
            }
        }
    }

    static let fields: [EntityKind: [String]] = [
        .customer: ["phone", "class", "region"], .contact: ["phone", "title", "wechat", "role"],
        .visit: ["status", "outcome", "checkOutPlace"], .opportunity: ["stage", "amount", "probability"],
        .complaint: ["step", "department"], .lineItem: ["quantity", "product"],
    ]

    static func value(_ field: String, _ entity: EntityKind, _ random: inout SeededGenerator) -> Value {
        switch field {
        case "class": .text(["A", "B", "C", "D"].randomElement(using: &random)!)
        case "status": .text(["planned", "completed", "cancelled", "missed"].randomElement(using: &random)!)
        case "stage": .text(OpportunityStage.all.randomElement(using: &random)!.name)
        case "step": .text(ComplaintStep.names.randomElement(using: &random)!)
        case "amount": .money(Money(minor: Int64.random(in: 0...1_000_000, using: &random), currency: "CNY"))
        case "probability": .integer(Int64.random(in: 0...100, using: &random))
        case "quantity": .integer(Int64.random(in: 1...50, using: &random))
        case "role": .text(["user", "champion"].randomElement(using: &random)!)
        case "phone": .text("0571-\(Int.random(in: 1000...1020, using: &random))")
        default: .text("\(field) \(Int.random(in: 1000...1020, using: &random))")
        }
    }

    /// Convergence, nothing pending, refusals explained, every acknowledged write held.
    func check() async throws -> [String] {
        var failures: [String] = []
        var refused: Set<MutationKey> = []
        let server = try await self.server.store.dump().records()
        for laptop in laptops {
            let territories = visible[laptop.user]!
            let expected = server.filter { $0.value.state.exists && territories.map($0.value.territory.isIn) ?? true }
                .compactMapValues { $0.state.seen(by: laptop.schema) }
            let shown = Dictionary(uniqueKeysWithValues: try laptop.store.records().map { ($0.id, $0.state) })
            let differing = Set(shown.keys).union(expected.keys).filter { shown[$0] != expected[$0] }
            if !differing.isEmpty {
                failures.append("\(laptop.user) differs from the server on \(differing.sorted().prefix(4))")
            }
            let status = try laptop.store.status()
            if status.pending > 0 { failures.append("\(laptop.user) still has \(status.pending) pending") }
            for refusal in try laptop.store.rejected() {
                refused.insert(refusal.mutation.key)
                if refusal.reason.isEmpty || refusal.code.rawValue.isEmpty {
                    failures.append("\(laptop.user) #\(refusal.seq) was refused without a reason")
                }
            }
        }
        let acknowledged = made.map(\.mutation).filter { !refused.contains($0.key) }
        let named = Set(acknowledged.flatMap { $0.writes.flatMap(\.bases) })
        for mutation in acknowledged {
            for (index, write) in mutation.writes.enumerated() {
                let id = mutation.writeID(index)
                if !RecordMerge.holds(write, id: id, named: named, state: { server[$0]?.state }) {
                    failures.append("acknowledged \(write.op) \(id) is lost")
                }
            }
        }
        return failures
    }
}

extension String {
    fileprivate func isIn(_ set: Set<String>) -> Bool { set.contains(self) }
}
