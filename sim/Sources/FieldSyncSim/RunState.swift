import FieldSyncClient
import FieldSyncModel
import Foundation

/// A step that could not be carried out (a name the scenario never gave, an edit the laptop refused).
struct StepProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The laptops, the server, the team's clock and the records' aliases while a scenario or a random run goes on:
/// the one place steps are carried out, so a random run and the scenario it is written as do the same things.
final class RunState {
    let server: SimServer
    let work: String
    let clock: SimClock
    /// The seed of the laptops' ids.
    let seed: UInt64
    /// The team, and the laptops by name (copies included) in the order they were made.
    private(set) var members: [Scenario.Member] = []
    private(set) var laptops: [String: SimLaptop] = [:]
    private(set) var order: [String] = []
    /// Each member's password and server node, for the console.
    private var passwords: [String: (password: String, node: String)] = [:]
    /// Records by alias, and aliases by record.
    private(set) var aliases: [String: RecordID] = [:]
    private(set) var names: [RecordID: String] = [:]
    /// The steps carried out so far, when the run is written as a scenario.
    var recorded: [Scenario.Step]?
    /// Writes that edits made on the console saw (and so superseded), for the nothing-lost check.
    private(set) var seenOnTheConsole: Set<WriteID> = []
    /// Server restarts, folder copies, server restores and clock corrections so far.
    private(set) var copies = 0, restores = 0, clockCorrections = 0
    /// Laptops that got the newest release during the run.
    private(set) var upgrades = 0

    /// Every step moves the team's clock on by this much.
    static let stepMs: Int64 = 1_000

    init(server: SimServer, work: String, clock: SimClock, seed: UInt64) {
        self.server = server
        self.work = work
        self.clock = clock
        self.seed = seed
    }

    /// The laptops in the order they were made.
    var all: [SimLaptop] { order.compactMap { laptops[$0] } }

    /// Adds `member`'s account and laptop, logged in; the laptop's transport injects `faults` drawn from
    /// `faultSeed` (none: only the faults a scenario arms).
    @discardableResult
    func join(
        _ member: Scenario.Member, password: String, node: String? = nil, skewMs: Int64 = 0,
        faults: Set<SimulationConfig.Fault> = [], faultSeed: UInt64 = 1
    ) async throws -> SimLaptop {
        try await server.addUser(member, password: password)
        let url = node ?? server.urls[0]
        let laptop = try SimLaptop(
            user: member.user, role: member.role, directory: work + "/laptop-\(member.user)",
            transport: try FaultyTransport(server: url, faults: faults, seed: faultSeed), skewMs: skewMs,
            clock: clock, ids: IDSource(seed: SimClock.seed(seed, member.user)), schemaVersion: member.schema)
        try await laptop.login(server: url, password: password)
        passwords[member.user] = (password, url)
        members.append(member)
        add(laptop, named: member.user)
        return laptop
    }

    private func add(_ laptop: SimLaptop, named name: String) {
        laptop.name = name
        laptops[name] = laptop
        order.append(name)
    }

    func laptop(_ name: String) throws -> SimLaptop {
        guard let laptop = laptops[name] else {
            throw StepProblem("no laptop named \(name): the team's members and copies are \(laptops.keys.sorted())")
        }
        return laptop
    }

    func record(_ alias: String) throws -> RecordID {
        guard let id = aliases[alias] else {
            throw StepProblem("no record named \(alias): name it with as: when it is added")
        }
        return id
    }

    /// The alias of `id` (its id when it has none).
    func alias(_ id: RecordID) -> String { names[id] ?? id.rawValue }

    /// Carries out `action` (not an expectation or a check), and writes it down when the run is recorded.
    func perform(_ action: Scenario.Action) async throws {
        clock.advance(Self.stepMs)
        switch action {
        case .add, .edit, .note, .delete, .restore, .merge:
            try edit(action)
            return
        case .sync(let names):
            for name in names {
                let laptop = try laptop(name)
                try await laptop.sync()
                for fault in laptop.transport.struck { write(.fault(laptop: name, fault)) }
                write(.sync([name]))
            }
            return
        case .network(let name, let online):
            try laptop(name).transport.setOffline(!online)
        case .server(let event) where !server.embedded:
            throw StepProblem("server: \(event.rawValue) needs the server this process runs: leave out --server")
        case .server(.restart):
            try await server.restart()
        case .server(.backup):
            try await server.backup()
        case .server(.restore):
            try await server.restore()
            restores += 1
        case .copy(let name, let target, let imaged):
            let source = try laptop(name)
            let copy = try source.copy(
                to: work + "/laptop-\(target)",
                transport: try FaultyTransport(
                    server: source.transport.base.absoluteString, faults: source.transport.faults,
                    seed: SimClock.seed(seed, "faults " + target)),
                imaged: imaged, ids: IDSource(seed: SimClock.seed(seed, target)))
            add(copy, named: target)
            copies += 1
        case .clock(let name, let aheadMs):
            let laptop = try laptop(name)
            try laptop.setSkew(aheadMs)
            if aheadMs == 0 {
                clockCorrections += 1
                try laptop.retryRefusedForSkew()  // as the user does once the clock is right
            }
        case .console(let user, let alias, let field, let keep):
            guard let account = passwords[user] else { throw StepProblem("no member named \(user) to log in") }
            let seen = try await ConsoleVisitor(server: account.node, user: user, password: account.password).resolve(
                try record(alias), field: field, value: aliases[keep]?.rawValue ?? keep)
            seenOnTheConsole.formUnion(seen)
        case .fault(let name, let fault):
            try laptop(name).transport.arm(fault)
        case .upgrade(let name):
            try laptop(name).upgrade()
            upgrades += 1
        case .wait(let ms):
            clock.advance(ms)
        case .settle:
            try await settleAll()
        case .expect, .check:
            return
        }
        write(action)
    }

    /// Carries out an edit step, or says why the laptop refused it (and then writes nothing down).
    func edit(_ action: Scenario.Action) throws {
        switch action {
        case .add(let name, let entity, let alias, let fields, let tags):
            let laptop = try laptop(name)
            let parsed = try refusing(laptop) { try values(fields, of: entity, store: laptop.store) }
            var created: RecordID?
            try edit(laptop, "add \(entity.rawValue) \(alias)") { builder in
                let id = try builder.create(entity)
                created = id
                try apply(parsed, tags: tags, untags: [], to: id, &builder)
            }
            aliases[alias] = created
            if let created { names[created] = alias }
        case .edit(let name, let alias, let fields, let tags, let untags):
            let laptop = try laptop(name)
            let id = try record(alias)
            guard let shown = try laptop.store.record(id) else {
                throw StepProblem("\(name)'s laptop does not show \(alias), so it cannot edit it")
            }
            let parsed = try refusing(laptop) { try values(fields, of: shown.entity, store: laptop.store) }
            try edit(laptop, "edit \(alias)") { builder in
                try apply(parsed, tags: tags, untags: untags, to: id, &builder)
            }
        case .note(let name, let alias, let text):
            let id = try record(alias)
            try edit(try laptop(name), "note on \(alias)") { try $0.note(id, text) }
        case .delete(let name, let alias):
            let id = try record(alias)
            try edit(try laptop(name), "delete \(alias)") { try $0.delete(id) }
        case .restore(let name, let alias):
            let id = try record(alias)
            try edit(try laptop(name), "keep \(alias)") { try $0.restore(id) }
        case .merge(let name, let alias, let into):
            let (duplicate, kept) = (try record(alias), try record(into))
            try edit(try laptop(name), "merge \(alias) into \(into)") { try $0.merge(duplicate, into: kept) }
        default:
            throw StepProblem("not an edit")
        }
        write(action)
    }

    /// Carries out an edit step; false when the laptop refused it (a random run then does something else).
    func tryEdit(_ action: Scenario.Action) -> Bool {
        clock.advance(Self.stepMs)
        do {
            try edit(action)
            return true
        } catch {
            return false
        }
    }

    private func write(_ action: Scenario.Action) {
        recorded?.append(Scenario.Step(action))
    }

    /// `fields` as values, through the laptop's own value parser (read before the edit's transaction: a
    /// reference is looked up in the store); an alias stands for its record's id.
    private func values(_ fields: [String: String], of entity: EntityKind, store: LocalStore) throws -> [(
        String, Value
    )] {
        try fields.sorted { $0.key < $1.key }.map { name, written in
            let spec = try store.schema.field(name, of: entity)
            return (
                name, try ValueParser(store: store).parse(aliases[written]?.rawValue ?? written, for: spec, of: entity)
            )
        }
    }

    /// Writes `values` and the tag changes to `id`.
    private func apply(
        _ values: [(String, Value)], tags: [String], untags: [String], to id: RecordID, _ builder: inout MutationBuilder
    ) throws {
        for (name, value) in values { try builder.set(id, name, value) }
        for tag in tags { try builder.add(id, "tags", tag) }
        for tag in untags { try builder.remove(id, "tags", tag) }
    }

    /// Makes one edit, or says why the laptop refused it.
    private func edit(_ laptop: SimLaptop, _ summary: String, _ build: (inout MutationBuilder) throws -> Void) throws {
        try refusing(laptop) { try laptop.editOrThrow(summary, build) }
    }

    /// Runs `body`; an error becomes the laptop's refusal of the step.
    private func refusing<T>(_ laptop: SimLaptop, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StepProblem {
            throw error
        } catch let error as ClientError {
            throw StepProblem("\(laptop.user)'s laptop refused the edit: \(error.message)")
        } catch {
            throw StepProblem("\(laptop.user)'s laptop refused the edit: \(error)")
        }
    }

    /// The text a scenario writes for `value` of `field` (a reference by its alias).
    func written(_ value: Value, field: String, of entity: EntityKind) -> String {
        guard value != .null else { return "" }
        if case .reference = (try? Schema.fieldSync.field(field, of: entity))?.type, let id = value.text {
            return alias(RecordID(trusted: id))
        }
        return value.description
    }

    // MARK: - Checks

    /// nil when `expectation` holds; else what was seen.
    func check(_ expectation: Scenario.Expectation) async throws -> String? {
        let id = try expectation.record.map(record)
        let state: RecordState?
        let who: String
        if let key = expectation.pipeline, let seen = try await checkPipeline(key, expectation) { return seen }
        if let name = expectation.laptop {
            let laptop = try laptop(name)
            who = "\(name)'s laptop"
            if let code = expectation.rejected {
                let codes = try laptop.store.rejected().map(\.code.rawValue)
                if !codes.contains(code) {
                    return "\(who) lists refusals \(codes.isEmpty ? "none" : codes.joined(separator: ", "))"
                }
            }
            if let pending = expectation.pending {
                let actual = try laptop.store.status().pending
                if actual != pending { return "\(who) has \(counted(actual, "edit")) pending" }
            }
            state = try id.flatMap { try laptop.store.record($0)?.state }
        } else {
            who = "the server"
            let records = try await server.records()
            state = id.flatMap { records[$0]?.state }.flatMap { $0.exists ? $0 : nil }
        }
        guard let id, let alias = expectation.record else { return nil }
        if expectation.absent {
            return state == nil ? nil : "\(who) shows \(alias)"
        }
        guard let state else { return "\(who) does not show \(alias)" }
        let entity = state.entity ?? .customer
        let schema = Schema.fieldSync
        if let field = expectation.field, let written = expectation.value {
            let shown = state.value(field, schema: schema)
            let expected = try expectedValue(written, field, entity)
            if shown != expected { return "\(alias).\(field) is \(describe(shown)) on \(who)" }
        }
        if let tags = expectation.tags {
            let shown = state.elements("tags")
            if Set(shown) != Set(tags) { return "\(alias) is tagged \(shown) on \(who)" }
        }
        if let field = expectation.conflict {
            guard let conflict = state.conflicts(of: id, schema: schema).first(where: { $0.field == field }) else {
                return "\(alias).\(field) is not in conflict on \(who)"
            }
            let shown = Set(conflict.heads.map(\.value))
            let expected = Set(try expectation.values.map { try expectedValue($0, field, entity) })
            if shown != expected {
                return "\(alias).\(field) is in conflict between \(shown.map(describe).sorted()) on \(who)"
            }
        }
        return nil
    }

    /// nil when the pipeline row `key` of the laptop's (or the server's) opportunities has the expected count and
    /// amount; else what it has.
    private func checkPipeline(_ key: String, _ expectation: Scenario.Expectation) async throws -> String? {
        let states: [RecordState]
        let who: String
        if let name = expectation.laptop {
            states = try laptop(name).store.records(.opportunity).map(\.state)
            who = "\(name)'s laptop"
        } else {
            states = try await server.records().values.map(\.state)
            who = "the server"
        }
        let facts = states.compactMap(Reports.OpportunityFacts.init)
        let row =
            (Reports.outcomes(facts) + Reports.funnel(facts)).first { $0.key == key }
            ?? Reports.PipelineRow(key: key)
        if let count = expectation.count, row.count != count {
            return "the \(key) pipeline holds \(counted(row.count, "opportunity", plural: "opportunities")) on \(who)"
        }
        if let written = expectation.amount {
            let expected: Money
            do { expected = try Money.parse(written, label: "amount") } catch {
                throw StepProblem("amount: \(error.message)")
            }
            let total = row.amount[expected.currency] ?? 0
            if total != expected.minor {
                return "the \(key) pipeline adds up to \(Money(minor: total, currency: expected.currency)) on \(who)"
            }
        }
        return nil
    }

    private func expectedValue(_ written: String, _ field: String, _ entity: EntityKind) throws -> Value {
        if written.isEmpty { return .null }
        let store = try all.first.map(\.store) ?? { throw StepProblem("the team has no laptop") }()
        let text = aliases[written]?.rawValue ?? written
        return try ValueParser(store: store).parse(text, for: try store.schema.field(field, of: entity), of: entity)
    }

    private func describe(_ value: Value) -> String {
        value == .null ? "empty" : "'\(value.description)'"
    }

    /// Every laptop comes online and syncs, faults off, until a round in which nobody pushed; then what
    /// `SimulationCheck` finds wrong (nothing, when nothing was lost and everyone converged).
    func checkNothingLost(planted: [(original: RecordID, duplicate: RecordID)] = []) async throws -> [String] {
        try await settleAll()
        let records = try await server.records()
        return try SimulationCheck(
            config: SimulationConfig(), members: members, laptops: all, admin: nil, planted: planted,
            seenElsewhere: seenOnTheConsole,
            territories: Set(members.flatMap(\.territories)), futureLaptop: nil, server: records,
            restarts: server.restarts, copies: copies, restores: restores, clockCorrections: clockCorrections,
            oldReleases: members.count { $0.schema < Schema.fieldSync.version }, upgrades: upgrades, seconds: 0
        ).report().violations
    }

    /// Whether the laptops of a settling round sync at the same moment (a `concurrent` random run).
    var settlesConcurrently = false

    /// Syncs every laptop, online and without faults, until a round in which nobody pushed anything and nothing is
    /// pending: a change one laptop sends late (a re-offer that waited for another laptop to heal the server) must
    /// still reach everyone. One sync each per round, in turn (or all at once when `settlesConcurrently`).
    func settleAll() async throws {
        for round in 0..<10 {
            for laptop in all {
                laptop.offlineUntilDay = 0
                laptop.transport.setOffline(false)
            }
            if settlesConcurrently {
                try await Simulation.syncAll(all, settle: true)
            } else {
                for laptop in all { try await laptop.settle(syncs: 1) }
            }
            for laptop in all where laptop.skewMs == 0 { try laptop.retryRefusedForSkew() }
            let quiet = try all.allSatisfy { laptop in
                try laptop.pushedWhileSettling == 0 && laptop.store.status().pending == 0
            }
            if round > 0 && quiet { break }
        }
    }
}
