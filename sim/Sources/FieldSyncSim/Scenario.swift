import FieldSyncModel
import Foundation
import Yams

/// A scripted scenario for `fieldsync-sim run FILE`: a team, and a timeline of steps with expectations, written in
/// YAML or JSON. Records are named by aliases the scenario gives them (`as: deal`), so a file never holds an id.
///
///     name: Two reps move one deal offline
///     team:
///       - {user: ana, role: rep, team: north, territories: [east]}
///       - {user: carl, role: rep, team: north, territories: [east]}
///     steps:
///       - {laptop: ana, add: customer, as: tea, set: {name: 杭州西湖茶业, territory: east}}
///       - {sync: [ana, carl]}
///       - {laptop: carl, edit: tea, set: {phone: 0571-1}}
///       - {expect: {laptop: carl, record: tea, field: phone, value: 0571-1}}
///
/// `protocol/SCENARIOS.md` lists every step and expectation.
public struct Scenario: Sendable {
    /// A member of the team: each has a laptop of their own, named after them.
    public struct Member: Sendable {
        /// Login name, and the laptop's name.
        public var user: String
        /// Role.
        public var role: Role
        /// Team.
        public var team: String
        /// Territories worked (reps).
        public var territories: [String]
        /// The schema version the member's laptop speaks at first (an older release's; `upgrade` installs the
        /// newest).
        public var schema: Int

        /// A member.
        public init(
            user: String, role: Role, team: String, territories: [String] = [], schema: Int = Schema.fieldSync.version
        ) {
            self.user = user
            self.role = role
            self.team = team
            self.territories = territories
            self.schema = schema
        }
    }

    /// What a step does.
    public enum Action: Sendable {
        /// A laptop creates a record of `entity`, known from then on as `alias`.
        case add(laptop: String, entity: EntityKind, alias: String, fields: [String: String], tags: [String])
        /// A laptop changes fields and tags of a record.
        case edit(laptop: String, record: String, fields: [String: String], tags: [String], untags: [String])
        /// A laptop appends a note.
        case note(laptop: String, record: String, text: String)
        /// A laptop deletes a record.
        case delete(laptop: String, record: String)
        /// A laptop keeps a deleted record (how a delete conflict is resolved by keeping the card).
        case restore(laptop: String, record: String)
        /// A manager's laptop merges the duplicate card `record` into `into` (`fieldsync customer merge`).
        case merge(laptop: String, record: String, into: String)
        /// `user` settles a conflict on the server's console, over HTTP as a browser does: keeps `keep` in `field`,
        /// or with no field keeps the deleted record (`keep: record`) or deletes it (`keep: deleted`).
        case console(user: String, record: String, field: String?, keep: String)
        /// Laptops sync, one after the other, in this order.
        case sync([String])
        /// A laptop loses (`false`) or regains (`true`) the network.
        case network(laptop: String, online: Bool)
        /// The server restarts, is backed up, or is restored from that backup.
        case server(ServerEvent)
        /// A laptop's data folder is copied to a new laptop (`imaged`: a disk image the laptop cannot tell).
        case copy(laptop: String, to: String, imaged: Bool)
        /// A laptop's clock is set `aheadMs` from the truth (0: corrected).
        case clock(laptop: String, aheadMs: Int64)
        /// A laptop gets the newest release: its files are opened by the new client, which speaks the newest schema.
        case upgrade(laptop: String)
        /// A fault strikes the laptop's next sync.
        case fault(laptop: String, NetworkFault)
        /// Time passes for everyone (the simulated clock moves on).
        case wait(ms: Int64)
        /// Every laptop comes online and syncs, without faults, until a round in which nobody sent anything.
        case settle
        /// What a laptop (or the server) must show now.
        case expect(Expectation)
        /// Every laptop comes online and syncs until the team is quiet; then every laptop must equal the server for
        /// what its user may see, and every acknowledged edit must be kept or superseded by one that saw it.
        case check
    }

    /// A fault between a laptop and the server, armed for the laptop's next sync.
    public struct NetworkFault: Sendable, Equatable {
        /// What goes wrong.
        public enum Kind: String, CaseIterable, Sendable {
            /// The server answers, the answer never arrives (a push is committed, the laptop does not know).
            case drop
            /// The push is delivered twice.
            case dup
            /// An older push of the laptop's arrives again, late, before this one (`back`: how many pushes ago).
            case delay
            /// The laptop's process dies: after the server committed the push, or before the pull page.
            case kill
        }

        /// The request a fault strikes.
        public enum Request: String, CaseIterable, Sendable {
            case push, pull
        }

        /// What goes wrong.
        public var kind: Kind
        /// On a push or a pull page.
        public var on: Request
        /// Which push or pull request of the sync, from 1.
        public var at: Int
        /// For `delay`: the push how many pushes back arrives again.
        public var back: Int

        /// A fault on request `at` (from 1) of kind `on` in the laptop's next sync.
        public init(_ kind: Kind, on: Request = .push, at: Int = 1, back: Int = 1) {
            self.kind = kind
            self.on = on
            self.at = at
            self.back = back
        }
    }

    /// A server event.
    public enum ServerEvent: String, Sendable {
        case restart, backup, restore
    }

    /// What a laptop, or the server when `laptop` is nil, must show.
    public struct Expectation: Sendable {
        /// The laptop; nil for the server's own record.
        public var laptop: String?
        /// The record's alias.
        public var record: String?
        /// A field that must show `value` (empty text: no value).
        public var field: String?
        /// The value, as `fieldsync` takes it on the command line.
        public var value: String?
        /// A field that must be in conflict between exactly `values`.
        public var conflict: String?
        /// The conflicting values.
        public var values: [String] = []
        /// Whether the record must not be shown at all (deleted, or out of the laptop's view).
        public var absent = false
        /// A code at least one refused change on the laptop must carry.
        public var rejected: String?
        /// How many edits the laptop must still have pending.
        public var pending: Int?
        /// Tags the record must show, exactly.
        public var tags: [String]?
        /// A pipeline row the laptop's (or the server's) opportunities must add up to: `open`, `won`, `lost` or a
        /// stage, with `count` opportunities and `amount` in total (as `fieldsync pipeline` shows them).
        public var pipeline: String?
        /// How many opportunities the pipeline row holds.
        public var count: Int?
        /// The row's total amount, such as `12000.00 CNY`.
        public var amount: String?

        /// An empty expectation, to fill in.
        public init() {}
    }

    /// A step: what it does, and how the file wrote it (for messages).
    public struct Step: Sendable {
        /// The action.
        public var action: Action
        /// The step as written, on one line.
        public var text: String

        /// A step.
        public init(_ action: Action, text: String) {
            self.action = action
            self.text = text
        }
    }

    /// The scenario's name.
    public var name: String
    /// The team.
    public var team: [Member]
    /// What the server holds before the timeline starts: records an administrator entered (`add` steps, made on a
    /// laptop of their own named `setup`), which every laptop has pulled when the timeline begins.
    public var data: [Step] = []
    /// The timeline.
    public var steps: [Step]
    /// The seed of the laptops' record and replica ids: the same seed, the same ids.
    public var seed: UInt64

    /// A scenario.
    public init(name: String, team: [Member], steps: [Step], seed: UInt64 = 1) {
        self.name = name
        self.team = team
        self.steps = steps
        self.seed = seed
    }

    /// Reads a scenario file (YAML, of which JSON is a part).
    public static func load(_ path: String) throws -> Scenario {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SimulationError.badArgument("Cannot read the scenario \(path): check the path.")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw SimulationError.badArgument("\(path) is not valid YAML: \(error)")
        }
        do {
            return try parse(
                document, defaultName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        } catch let error as ScenarioError {
            throw SimulationError.badArgument("\(path): \(error.message)")
        }
    }

    /// The laptop of the administrator who enters a scenario's `data`.
    public static let setup = "setup"

    struct ScenarioError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    static func parse(_ document: Any?, defaultName: String) throws -> Scenario {
        guard let root = document as? [String: Any] else {
            throw ScenarioError("the file must be a map with team and steps")
        }
        try known(root, ["name", "seed", "team", "data", "steps"], in: "the file")
        var team: [Member] = []
        for (index, entry) in (root["team"] as? [[String: Any]] ?? []).enumerated() {
            try known(entry, ["user", "role", "team", "territories", "schema"], in: "team member \(index + 1)")
            guard let user = entry["user"] as? String, let role = (entry["role"] as? String).flatMap(Role.init) else {
                throw ScenarioError("team member \(index + 1) needs a user and a role (rep, manager or admin)")
            }
            let newest = Schema.fieldSync.version
            let schema = text(entry["schema"]).map { Int($0) ?? 0 } ?? newest
            guard (1...newest).contains(schema) else {
                throw ScenarioError("team member \(index + 1): schema is a version from 1 to \(newest)")
            }
            team.append(
                Member(
                    user: user, role: role, team: text(entry["team"]) ?? "team",
                    territories: list(entry["territories"]),
                    schema: schema))
        }
        guard !team.isEmpty else { throw ScenarioError("the team is empty: list its members under team") }
        let data = try (root["data"] as? [[String: Any]] ?? []).enumerated().map { index, entry in
            guard entry["add"] != nil, entry["laptop"] == nil else {
                throw ScenarioError("data entry \(index + 1) adds a record: {add: ENTITY, as: ALIAS, set: {…}}")
            }
            var added = entry
            added["laptop"] = Scenario.setup
            return Step(try action(added, step: index + 1))
        }
        guard let written = root["steps"] as? [[String: Any]], !written.isEmpty else {
            throw ScenarioError("there are no steps: list them under steps")
        }
        let steps = try written.enumerated().map { index, entry in
            Step(try action(entry, step: index + 1))
        }
        let seed = try root["seed"].map { value in
            guard let seed = text(value).flatMap(UInt64.init) else { throw ScenarioError("seed is a whole number") }
            return seed
        }
        var scenario = Scenario(name: text(root["name"]) ?? defaultName, team: team, steps: steps, seed: seed ?? 1)
        scenario.data = data
        return scenario
    }

    private static func action(_ entry: [String: Any], step: Int) throws -> Action {
        let place = "step \(step)"
        let laptop = text(entry["laptop"])
        func needLaptop() throws -> String {
            guard let laptop else { throw ScenarioError("\(place) needs laptop: NAME") }
            return laptop
        }
        func fields() -> [String: String] {
            (entry["set"] as? [String: Any] ?? [:]).compactMapValues { text($0) }
        }
        if let entity = text(entry["add"]) {
            try known(entry, ["laptop", "add", "as", "set", "tag"], in: place)
            guard let kind = EntityKind(rawValue: entity) else {
                throw ScenarioError("\(place): add takes customer, contact, visit, opportunity, lineItem or complaint")
            }
            guard let alias = text(entry["as"]) else { throw ScenarioError("\(place): name the new record with as:") }
            return .add(
                laptop: try needLaptop(), entity: kind, alias: alias, fields: fields(), tags: list(entry["tag"]))
        }
        if let record = text(entry["edit"]) {
            try known(entry, ["laptop", "edit", "set", "tag", "untag"], in: place)
            return .edit(
                laptop: try needLaptop(), record: record, fields: fields(), tags: list(entry["tag"]),
                untags: list(entry["untag"]))
        }
        if let record = text(entry["note"]) {
            try known(entry, ["laptop", "note", "text"], in: place)
            guard let note = text(entry["text"]) else { throw ScenarioError("\(place): a note needs text:") }
            return .note(laptop: try needLaptop(), record: record, text: note)
        }
        if let record = text(entry["delete"]) {
            try known(entry, ["laptop", "delete"], in: place)
            return .delete(laptop: try needLaptop(), record: record)
        }
        if let record = text(entry["restore"]) {
            try known(entry, ["laptop", "restore"], in: place)
            return .restore(laptop: try needLaptop(), record: record)
        }
        if let record = text(entry["merge"]) {
            try known(entry, ["laptop", "merge", "into"], in: place)
            guard let into = text(entry["into"]) else { throw ScenarioError("\(place): merge needs into: KEPT-RECORD") }
            return .merge(laptop: try needLaptop(), record: record, into: into)
        }
        if let user = text(entry["console"]) {
            try known(entry, ["console", "resolve", "field", "keep"], in: place)
            guard let record = text(entry["resolve"]), let keep = entry["keep"].map({ text($0) ?? "" }) else {
                throw ScenarioError("\(place): console needs resolve: RECORD and keep: VALUE (with field: FIELD)")
            }
            let field = text(entry["field"])
            if field == nil && !["record", "deleted"].contains(keep) {
                throw ScenarioError(
                    "\(place): without a field, keep: record keeps the record, keep: deleted deletes it")
            }
            return .console(user: user, record: record, field: field, keep: keep)
        }
        if let sugar = try shorthand(entry, place: place, laptop: laptop) { return sugar }
        if let kind = text(entry["fault"]) {
            try known(entry, ["laptop", "fault", "in", "at", "back"], in: place)
            guard let fault = NetworkFault.Kind(rawValue: kind) else {
                throw ScenarioError("\(place): fault takes drop, dup, delay or kill")
            }
            guard let on = NetworkFault.Request(rawValue: text(entry["in"]) ?? "push") else {
                throw ScenarioError("\(place): a fault strikes in: push or in: pull")
            }
            let at = entry["at"] as? Int ?? 1
            let back = entry["back"] as? Int ?? 1
            guard at >= 1, back >= 1 else { throw ScenarioError("\(place): at and back count from 1") }
            return .fault(laptop: try needLaptop(), NetworkFault(fault, on: on, at: at, back: back))
        }
        if let wait = text(entry["wait"]) {
            try known(entry, ["wait"], in: place)
            guard let ms = duration(wait), ms >= 0 else {
                throw ScenarioError("\(place): wait takes a duration such as 2h, 15m or 1d")
            }
            return .wait(ms: ms)
        }
        if entry["settle"] != nil {
            try known(entry, ["settle"], in: place)
            guard text(entry["settle"]) == "all" else { throw ScenarioError("\(place): write settle: all") }
            return .settle
        }
        if entry["check"] != nil {
            try known(entry, ["check"], in: place)
            guard text(entry["check"]) == "nothing-lost" else {
                throw ScenarioError("\(place): write check: nothing-lost")
            }
            return .check
        }
        if entry["sync"] != nil {
            try known(entry, ["sync"], in: place)
            let laptops = list(entry["sync"])
            guard !laptops.isEmpty else { throw ScenarioError("\(place): sync takes a laptop or a list of laptops") }
            return .sync(laptops)
        }
        if let name = text(entry["offline"]) ?? text(entry["online"]) {
            try known(entry, ["offline", "online"], in: place)
            return .network(laptop: name, online: entry["online"] != nil)
        }
        if let event = text(entry["server"]) {
            try known(entry, ["server"], in: place)
            guard let server = ServerEvent(rawValue: event) else {
                throw ScenarioError("\(place): server takes restart, backup or restore")
            }
            return .server(server)
        }
        if let source = text(entry["copy"]) {
            try known(entry, ["copy", "to", "imaged"], in: place)
            guard let target = text(entry["to"]) else { throw ScenarioError("\(place): copy needs to: NEW-LAPTOP") }
            return .copy(laptop: source, to: target, imaged: entry["imaged"] as? Bool ?? false)
        }
        if let name = text(entry["upgrade"]) {
            try known(entry, ["upgrade"], in: place)
            return .upgrade(laptop: name)
        }
        if let name = text(entry["clock"]) {
            try known(entry, ["clock", "ahead"], in: place)
            guard let ahead = text(entry["ahead"]).flatMap(duration) else {
                throw ScenarioError("\(place): clock needs ahead: a duration such as 3d, 2h, 90s or 0")
            }
            return .clock(laptop: name, aheadMs: ahead)
        }
        if let body = entry["expect"] as? [String: Any] {
            try known(entry, ["expect"], in: place)
            try known(
                body,
                [
                    "laptop", "server", "record", "field", "value", "conflict", "values", "absent", "rejected",
                    "pending", "tags", "pipeline", "count", "amount",
                ],
                in: "\(place) (expect)")
            var expectation = Expectation()
            expectation.laptop = text(body["laptop"])
            if expectation.laptop == nil && body["server"] as? Bool != true {
                throw ScenarioError("\(place): expect names a laptop: NAME or server: true")
            }
            expectation.record = text(body["record"])
            expectation.field = text(body["field"])
            expectation.value = body["value"].map { text($0) ?? "" }
            expectation.conflict = text(body["conflict"])
            expectation.values = list(body["values"])
            expectation.absent = body["absent"] as? Bool ?? false
            expectation.rejected = text(body["rejected"])
            expectation.pending = body["pending"] as? Int
            expectation.tags = body["tags"].map { list($0) }
            expectation.pipeline = text(body["pipeline"])
            expectation.count = body["count"] as? Int
            expectation.amount = text(body["amount"])
            if expectation.pipeline == nil && (expectation.count != nil || expectation.amount != nil) {
                throw ScenarioError("\(place): count and amount check a pipeline row: add pipeline: open (or a stage)")
            }
            return .expect(expectation)
        }
        throw ScenarioError(
            "\(place) does nothing FieldSync knows: use add, edit, note, delete, restore, merge, stage, plan, complete,"
                + " resolve, console, sync, settle, offline, online, server, copy, clock, fault, wait, expect or check")
    }

    /// The steps a rep says in the CLI's words, as the edits they are: `stage`, `plan`, `complete` and `resolve`.
    private static func shorthand(_ entry: [String: Any], place: String, laptop: String?) throws -> Action? {
        func needLaptop() throws -> String {
            guard let laptop else { throw ScenarioError("\(place) needs laptop: NAME") }
            return laptop
        }
        if let record = text(entry["stage"]) {
            try known(entry, ["laptop", "stage", "to"], in: place)
            guard let stage = text(entry["to"]) else { throw ScenarioError("\(place): stage needs to: STAGE") }
            return .edit(laptop: try needLaptop(), record: record, fields: ["stage": stage], tags: [], untags: [])
        }
        if let alias = text(entry["plan"]) {
            try known(entry, ["laptop", "plan", "customer", "at", "purpose"], in: place)
            guard let customer = text(entry["customer"]), let at = text(entry["at"]) else {
                throw ScenarioError("\(place): plan needs customer: RECORD and at: TIME")
            }
            let rep = try needLaptop()
            var fields = ["customer": customer, "plannedAt": at, "rep": rep, "status": "planned"]
            fields["purpose"] = text(entry["purpose"])
            return .add(laptop: rep, entity: .visit, alias: alias, fields: fields, tags: [])
        }
        if let record = text(entry["complete"]) {
            try known(entry, ["laptop", "complete", "at", "outcome"], in: place)
            var fields = ["status": "completed"]
            fields["checkedInAt"] = text(entry["at"])
            fields["outcome"] = text(entry["outcome"])
            return .edit(laptop: try needLaptop(), record: record, fields: fields, tags: [], untags: [])
        }
        if let record = text(entry["resolve"]) {
            try known(entry, ["laptop", "resolve", "field", "keep"], in: place)
            guard let field = text(entry["field"]) else {
                throw ScenarioError("\(place): resolve needs field: FIELD and keep: VALUE")
            }
            let keep = entry["keep"].map { text($0) ?? "" } ?? ""
            return .edit(laptop: try needLaptop(), record: record, fields: [field: keep], tags: [], untags: [])
        }
        return nil
    }

    /// Refuses keys the step does not take, so a typo is not silently a no-op.
    private static func known(_ map: [String: Any], _ keys: Set<String>, in place: String) throws {
        if let unknown = map.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ScenarioError(
                "\(place) has '\(unknown)', which it does not take; it takes \(keys.sorted().joined(separator: ", "))")
        }
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as Int: String(number)
        case let number as Double: String(number)
        case let flag as Bool: flag ? "true" : "false"
        default: nil
        }
    }

    static func list(_ value: Any?) -> [String] {
        if let items = value as? [Any] { return items.compactMap { text($0) } }
        return text(value).map { [$0] } ?? []
    }

    /// `3d`, `2h`, `15m`, `90s`, `-1h` or `0`, in milliseconds.
    static func duration(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        let units: [Character: Int64] = ["d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000]
        guard let unit = text.last.flatMap({ units[$0] }), let number = Int64(text.dropLast()) else { return nil }
        return number * unit
    }
}
