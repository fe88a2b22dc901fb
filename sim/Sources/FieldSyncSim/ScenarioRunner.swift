import FieldSyncClient
import FieldSyncModel
import Foundation

/// Runs a `Scenario` against a real server in this process (SQLite in a folder of its own) with a real local store,
/// sync engine and HTTP transport per laptop, step by step, checking each `expect` as it comes.
public struct ScenarioRunner: Sendable {
    /// One expectation that did not hold.
    public struct Failure: Sendable, Codable {
        /// The step's number, from 1.
        public let step: Int
        /// The step as written.
        public let text: String
        /// What was seen instead.
        public let seen: String
    }

    /// What a run found.
    public struct Report: Sendable, Codable {
        /// The scenario's name.
        public let name: String
        /// Steps run.
        public let steps: Int
        /// Expectations checked.
        public let expectations: Int
        /// Expectations that did not hold.
        public let failures: [Failure]
        /// Seconds the run took.
        public let seconds: Double

        /// Whether every expectation held.
        public var passed: Bool { failures.isEmpty }

        /// The report for people: one line, then one per failure with the step, what it expected and what was seen.
        public var text: String {
            var lines = [
                "\(passed ? "PASSED" : "FAILED")  \(name): \(counted(steps, "step")), \(counted(expectations, "expectation"))"
                    + String(format: " in %.1f s", seconds)
            ]
            for failure in failures {
                lines.append("  step \(failure.step): \(failure.text)\n    saw: \(failure.seen)")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The scenario.
    public let scenario: Scenario

    /// A runner for `scenario`.
    public init(_ scenario: Scenario) { self.scenario = scenario }

    static let password = "scenario-password"

    /// Runs the scenario in a temporary folder (removed afterwards unless `keep` names one to use instead).
    public func run(keep: String? = nil) async throws -> Report {
        let started = ContinuousClock.now
        let work =
            keep
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-scenario-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: work) } }
        var config = SimulationConfig()
        config.workDirectory = work
        let server = try await SimServer.start(config: config, work: work)
        defer { server.stop() }
        var state = RunState(server: server, work: work)
        for member in scenario.team {
            try await server.addUser(
                Simulation.Member(
                    name: member.user, role: member.role, team: member.team, territories: member.territories),
                password: Self.password)
            let laptop = try state.newLaptop(member.user, role: member.role)
            try await laptop.login(server: server.urls[0], password: Self.password)
        }
        var failures: [Failure] = []
        var expectations = 0
        for (index, step) in scenario.steps.enumerated() {
            do {
                if case .expect(let expectation) = step.action {
                    expectations += 1
                    if let seen = try await state.check(expectation) {
                        failures.append(Failure(step: index + 1, text: step.text, seen: seen))
                    }
                } else {
                    try await state.perform(step.action)
                }
            } catch let problem as Problem {
                failures.append(Failure(step: index + 1, text: step.text, seen: problem.message))
                break  // a step that could not be done leaves nothing sound to check after it
            }
        }
        return Report(
            name: scenario.name, steps: scenario.steps.count, expectations: expectations, failures: failures,
            seconds: (ContinuousClock.now - started) / .seconds(1))
    }

    /// A step that could not be carried out (a name the scenario never gave, an edit the laptop refused).
    struct Problem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// The laptops, the server and the records' aliases while a scenario runs.
    struct RunState {
        let server: SimServer
        let work: String
        var laptops: [String: SimLaptop] = [:]
        var aliases: [String: RecordID] = [:]

        init(server: SimServer, work: String) {
            self.server = server
            self.work = work
        }

        mutating func newLaptop(_ name: String, role: Role) throws -> SimLaptop {
            let laptop = try SimLaptop(
                user: name, role: role, directory: work + "/laptop-\(name)",
                transport: try FaultyTransport(server: server.urls[0], faults: [], seed: 1), skewMs: 0)
            laptops[name] = laptop
            return laptop
        }

        func laptop(_ name: String) throws -> SimLaptop {
            guard let laptop = laptops[name] else {
                throw Problem("no laptop named \(name): the team's members and copies are \(laptops.keys.sorted())")
            }
            return laptop
        }

        func record(_ alias: String) throws -> RecordID {
            guard let id = aliases[alias] else {
                throw Problem("no record named \(alias): name it with as: when it is added")
            }
            return id
        }

        /// `fields` as values, through the laptop's own value parser (read before the edit's transaction: a
        /// reference is looked up in the store); an alias stands for its record's id.
        func values(_ fields: [String: String], of entity: EntityKind, store: LocalStore) throws -> [(String, Value)] {
            try fields.sorted { $0.key < $1.key }.map { name, written in
                let spec = try store.schema.field(name, of: entity)
                return (
                    name,
                    try ValueParser(store: store).parse(aliases[written]?.rawValue ?? written, for: spec, of: entity)
                )
            }
        }

        /// Writes `values` and the tag changes to `id`.
        func apply(
            _ values: [(String, Value)], tags: [String], untags: [String], to id: RecordID,
            _ builder: inout MutationBuilder
        ) throws {
            for (name, value) in values { try builder.set(id, name, value) }
            for tag in tags { try builder.add(id, "tags", tag) }
            for tag in untags { try builder.remove(id, "tags", tag) }
        }

        mutating func perform(_ action: Scenario.Action) async throws {
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
            case .edit(let name, let alias, let fields, let tags, let untags):
                let laptop = try laptop(name)
                let id = try record(alias)
                guard let shown = try laptop.store.record(id) else {
                    throw Problem("\(name)'s laptop does not show \(alias), so it cannot edit it")
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
            case .sync(let names):
                for name in names { try await laptop(name).sync() }
            case .network(let name, let online):
                try laptop(name).transport.setOffline(!online)
            case .server(.restart):
                try await server.restart()
            case .server(.backup):
                try await server.backup()
            case .server(.restore):
                try await server.restore()
            case .copy(let name, let target, let imaged):
                let source = try laptop(name)
                let copy = try source.copy(
                    to: work + "/laptop-\(target)",
                    transport: try FaultyTransport(server: server.urls[0], faults: [], seed: 1), imaged: imaged)
                laptops[target] = copy
            case .clock(let name, let aheadMs):
                let laptop = try laptop(name)
                try laptop.setSkew(aheadMs)
                if aheadMs == 0 { try laptop.retryRefusedForSkew() }  // as the user does once the clock is right
            case .expect:
                break
            }
        }

        /// Makes one edit, or says why the laptop refused it.
        private func edit(_ laptop: SimLaptop, _ summary: String, _ build: (inout MutationBuilder) throws -> Void)
            throws
        {
            try refusing(laptop) { try laptop.editOrThrow(summary, build) }
        }

        /// Runs `body`; an error becomes the laptop's refusal of the step.
        private func refusing<T>(_ laptop: SimLaptop, _ body: () throws -> T) throws -> T {
            do {
                return try body()
            } catch let error as Problem {
                throw error
            } catch let error as ClientError {
                throw Problem("\(laptop.user)'s laptop refused the edit: \(error.message)")
            } catch {
                throw Problem("\(laptop.user)'s laptop refused the edit: \(error)")
            }
        }

        /// nil when `expectation` holds; else what was seen.
        func check(_ expectation: Scenario.Expectation) async throws -> String? {
            let id = try expectation.record.map(record)
            let state: RecordState?
            let who: String
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

        private func expectedValue(_ written: String, _ field: String, _ entity: EntityKind) throws -> Value {
            if written.isEmpty { return .null }
            let store = try laptops.values.first.map(\.store) ?? { throw Problem("the team has no laptop") }()
            let text = aliases[written]?.rawValue ?? written
            return try ValueParser(store: store).parse(text, for: try store.schema.field(field, of: entity), of: entity)
        }

        private func describe(_ value: Value) -> String {
            value == .null ? "empty" : "'\(value.description)'"
        }
    }
}
