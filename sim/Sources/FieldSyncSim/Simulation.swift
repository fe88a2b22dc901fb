import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import Logging

/// A seeded simulation of a sales team: reps plan and complete visits, edit customer cards and move opportunities
/// through their stages offline, managers move customers between territories, edit the pipeline, merge duplicates
/// and resolve conflicts, everyone syncs at random moments through injected faults; then `SimulationCheck` proves
/// nothing was lost and everyone converged.
///
/// Against the embedded server a run follows from its seed alone: who edits what, who syncs when and in which order,
/// which faults strike, record and replica ids (a seeded `IDSource` per laptop) and every timestamp (a simulated
/// clock the server and the laptops share). Each action is a scenario step carried out by `RunState`, so a run can
/// be written as a scenario (`runRecorded`) and replayed, or shrunk, by `ScenarioRunner`.
public struct Simulation {
    let config: SimulationConfig
    static let password = "simulated-rep-password"

    /// Creates a simulation.
    public init(_ config: SimulationConfig) {
        self.config = config
    }

    /// Reps three to a territory, territories dealt to teams in turn, one manager per team, one admin reading the
    /// truth.
    var members: [Scenario.Member] {
        let prefix = "sim\(config.seed % 100_000)"
        let managers = max(1, config.managers)
        var members = (0..<config.reps).map { index in
            Scenario.Member(
                user: "\(prefix)-rep\(index)", role: .rep, team: "\(prefix)-team\((index / 3) % managers)",
                territories: ["\(prefix)-t\(index / 3)"])
        }
        members += (0..<config.managers).map {
            Scenario.Member(user: "\(prefix)-mgr\($0)", role: .manager, team: "\(prefix)-team\($0)")
        }
        // Laptops on last month's release: a share drawn from the seed speaks the previous schema version.
        for index in members.indices
        where SimClock.seed(config.seed, "release " + members[index].user) % 100
            < UInt64(config.oldRelease)
        {
            members[index].schema = Schema.fieldSync.version - 1
        }
        members.append(Scenario.Member(user: "\(prefix)-admin", role: .admin, team: "\(prefix)-hq"))
        return members
    }

    /// Removes the run's folder. SQLite may still be deleting a closing database's -wal and -shm files, which makes
    /// one pass fail half-way (and left folders behind), so it tries again.
    static func remove(_ folder: String) {
        for _ in 0..<10 {
            guard FileManager.default.fileExists(atPath: folder) else { return }
            try? FileManager.default.removeItem(atPath: folder)
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Runs the simulation and checks it; `log` receives progress lines.
    public func run(log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> SimulationReport {
        try await run(recording: false, log: log).report
    }

    /// Runs the simulation, checks it, and writes it down as a scenario (its last step the same check) that
    /// `ScenarioRunner` replays: the faults that struck become `fault` steps before the syncs they struck.
    public func runRecorded(log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> (
        report: SimulationReport, scenario: Scenario
    ) {
        let (report, steps) = try await run(recording: true, log: log)
        let name =
            "fieldsync-sim --seed \(config.seed) --reps \(config.reps) --managers \(config.managers)"
            + " --days \(config.days) --faults \(config.faults.map(\.rawValue).sorted().joined(separator: ","))"
        return (report, Scenario(name: name, team: members, steps: steps ?? [], seed: config.seed))
    }

    private func run(recording: Bool, log: @escaping @Sendable (String) -> Void) async throws -> (
        report: SimulationReport, steps: [Scenario.Step]?
    ) {
        guard config.reps >= 1, config.days >= 1, config.managers >= 0 else {
            throw SimulationError.badArgument("--reps and --days must be at least 1, --managers at least 0.")
        }
        let work =
            config.workDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "fieldsync-sim-\(config.seed)-\(UUID().uuidString.prefix(8))"
            ).path
        defer { if config.workDirectory == nil { Self.remove(work) } }
        let clock = config.servers.isEmpty ? SimClock(startMs: SimWorld.startMs) : .wall
        let server = try await SimServer.start(config: config, work: work, clock: clock)
        defer { server.stop() }
        // Running servers keep what earlier runs made: ids must not repeat there.
        let run = RunState(
            server: server, work: work, clock: clock,
            seed: server.embedded ? config.seed : UInt64.random(in: 1...UInt64.max))
        if recording { run.recorded = [] }
        run.settlesConcurrently = config.concurrent
        let members = self.members
        var random = SeededGenerator(seed: config.seed)
        var laptops: [SimLaptop] = []
        let futureIndex = config.faults.contains(.skew) && config.reps > 1 ? config.reps - 1 : nil
        for (index, member) in members.enumerated() {
            let laptop = try await run.join(
                member, password: Self.password, node: server.urls[index % server.urls.count],
                faults: config.faults, faultSeed: random.next())
            if config.faults.contains(.skew), member.role != .admin {
                let skew =
                    index == futureIndex
                    ? 3 * 86_400_000 : (random.chance(40) ? -Int64.random(in: 1...5, using: &random) * 3_600_000 : 0)
                if skew != 0 { try await run.perform(.clock(laptop: member.user, aheadMs: skew)) }
            }
            if member.role != .admin { laptops.append(laptop) }
        }
        // The faults of real teams: a copied rep, a rep whose clock runs ahead, a server restored from a backup.
        let reps = laptops.indices.filter { laptops[$0].role == .rep && $0 != futureIndex }
        let cloned = config.faults.contains(.clone) ? reps.first : nil
        let clockfix = config.faults.contains(.clockfix) ? reps.dropFirst().first ?? reps.first : nil
        let rounds = config.days * 4
        let (backupRound, restoreRound) = (rounds / 3, (2 * rounds) / 3 + 1)
        let started = ContinuousClock.now
        var world = SimWorld(members: members, hotShare: config.hotShare)
        try await world.seed(laptops: laptops, run)
        log("set up \(laptops.count) laptops on \(server.urls.joined(separator: ", ")) (\(server.location))")

        for day in 0..<config.days {
            for laptop in laptops where laptop.role == .rep && laptop.offlineUntilDay <= day && random.chance(10) {
                laptop.offlineUntilDay = day + Int.random(in: 2...3, using: &random)
            }
            for round in 0..<4 {
                let step = day * 4 + round
                try await run.perform(.wait(ms: 2 * 3_600_000))
                if let cloned, step == 1 || step == rounds - 2 {
                    let original = laptops[cloned]
                    let name = "\(original.name)-copy\(step)"
                    try await run.perform(.copy(laptop: original.name, to: name, imaged: step != 1))
                    laptops.append(try run.laptop(name))
                    log("step \(step): \(original.name)'s data folder copied\(step != 1 ? " (imaged)" : "")")
                }
                if let clockfix, step == 0 {
                    try await run.perform(.clock(laptop: laptops[clockfix].name, aheadMs: 3 * 86_400_000))
                }
                if step == rounds / 2 {
                    // Half the laptops on the previous release get the new one, edits still unsent.
                    let old = laptops.filter { $0.schemaVersion < Schema.fieldSync.version }
                    for laptop in old.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) {
                        try await run.perform(.upgrade(laptop: laptop.name))
                        log("step \(step): \(laptop.name) got the new release")
                    }
                }
                if let clockfix, step == rounds / 2 {
                    try await run.perform(.clock(laptop: laptops[clockfix].name, aheadMs: 0))
                    log("step \(step): \(laptops[clockfix].name)'s clock corrected")
                }
                if config.faults.contains(.restore), server.embedded, step == backupRound {
                    try await run.perform(.server(.backup))
                    log("step \(step): server backed up")
                }
                if config.faults.contains(.restore), server.embedded, step == restoreRound {
                    try await run.perform(.server(.restore))
                    log("step \(step): server restored from its backup")
                }
                for laptop in laptops {
                    let edits = laptop.role == .manager ? 2 : max(1, config.editsPerDay / 4)
                    for step in 0..<edits {
                        world.act(laptop, day: day, tag: "d\(day)r\(round)s\(step)", random: &random, run)
                    }
                }
                if config.faults.contains(.restart), server.embedded, random.chance(15) {
                    try await run.perform(.server(.restart))
                    log("day \(day) round \(round): server restarted")
                }
                let syncing = laptops.filter { $0.offlineUntilDay <= day && random.chance(50) }
                if config.concurrent {
                    try await Self.syncAll(syncing)
                } else {
                    try await run.perform(.sync(syncing.shuffled(using: &random).map(\.name)))
                }
            }
            log("day \(day + 1) of \(config.days) done")
        }

        // A copied rep and every copy each add a card and sync: copies that share a replica id now diverge, and the
        // server must tell all but one to take a new id (checked), even where one of them never edited before.
        if let cloned, run.copies > 0 {
            let family = [laptops[cloned]] + laptops.suffix(run.copies)
            for laptop in family { world.addCustomer(laptop, tag: "after copy", run) }
            try await run.perform(.sync(family.map(\.name)))
        }

        // Managers clean up after the fair: with everyone's cards on the server, each merges the likely duplicates
        // of their team's view (every one planted must be found: checked).
        if !world.planted.isEmpty {
            try await run.perform(.settle)
            for laptop in laptops where laptop.role == .manager { world.mergeDuplicates(laptop, limit: 100, run) }
        }

        // Everyone comes back online and syncs until quiet, faults off: what is left to check is the outcome.
        try await run.settleAll()  // as the check step of the scenario written down does
        run.recorded?.append(Scenario.Step(.check))
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let records = try await server.records()
        let report = try SimulationCheck(
            config: config, members: members, laptops: laptops, admin: try run.laptop(members.last!.user),
            planted: world.planted.compactMap { pair in
                run.aliases[pair.original].flatMap { original in
                    run.aliases[pair.duplicate].map { (original, $0) }
                }
            },
            territories: Set(world.territoryOf.values), futureLaptop: futureIndex.map { laptops[$0] },
            server: records, restarts: server.restarts, copies: run.copies, restores: run.restores,
            clockCorrections: run.clockCorrections,
            oldReleases: members.count { $0.schema < Schema.fieldSync.version }, upgrades: run.upgrades,
            seconds: seconds
        ).report()
        return (report, run.recorded)
    }

    /// Syncs laptops at the same moment, as reps coming back to the office do (`concurrent` runs: the interleaving is
    /// then up to the machine).
    static func syncAll(_ laptops: [SimLaptop], settle: Bool = false) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for laptop in laptops {
                group.addTask { settle ? try await laptop.settle() : try await laptop.sync() }
            }
            try await group.waitForAll()
        }
    }
}

/// The server a simulation runs against: an embedded one on its own database, or one already running.
final class SimServer: @unchecked Sendable {
    private(set) var store: any SyncStore
    let location: StoreLocation
    /// The nodes laptops sync with (each laptop keeps one).
    let urls: [String]
    private var running: RunningServer?
    private(set) var restarts = 0
    /// Whether this process runs the server (and so can restart it).
    var embedded: Bool { running != nil }

    /// The server's clock: the run's simulated one when this process runs it.
    let clock: SimClock

    private init(
        store: any SyncStore, location: StoreLocation, urls: [String], running: RunningServer?,
        clock: SimClock = .wall
    ) {
        self.store = store
        self.location = location
        self.urls = urls
        self.running = running
        self.clock = clock
    }

    static func start(config: SimulationConfig, work: String, clock: SimClock) async throws -> SimServer {
        if !config.servers.isEmpty && config.database == nil {
            throw SimulationError.badArgument(
                "With --server, give that server's database with --db too: the simulator adds its accounts there.")
        }
        let location = try StoreLocation(config.database ?? work + "/server.sqlite")
        let store: any SyncStore
        do {
            store = try await location.open()
        } catch {
            throw SimulationError.failed("Cannot open database \(location): \(StoreLocation.explain(error))")
        }
        if !config.servers.isEmpty {
            return SimServer(store: store, location: location, urls: config.servers, running: nil)
        }
        let running = try await RunningServer.start(
            configuration: configuration(port: 0, clock: clock), store: store, logger: logger)
        let server = SimServer(
            store: store, location: location, urls: [running.url], running: running, clock: clock)
        server.backupPath = work + "/server-backup.sqlite"
        return server
    }

    static func configuration(port: Int, clock: SimClock) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = port
        configuration.passwordIterations = 1_000
        configuration.clock = { clock.now() }
        return configuration
    }

    static var logger: Logger {
        var logger = Logger(label: "fieldsync-sim")
        logger.logLevel = .critical
        return logger
    }

    /// Stops the embedded server and starts it again on the same port and database.
    func restart() async throws {
        guard let running else { return }
        running.stop()
        try await start(port: running.port)
        restarts += 1
    }

    /// Where `backup()` writes.
    private(set) var backupPath = ""

    /// Backs the server up while it serves, as `fieldsync-server backup` does.
    func backup() async throws {
        try await store.backup(to: backupPath)
    }

    /// Stops the server, restores it from the backup as `fieldsync-server restore` does, and starts it again.
    func restore() async throws {
        guard let running else { return }
        await running.stopAndWait()
        try await Backup.restore(try await Backup.read(backupPath), into: store)
        await store.close()
        store = try await location.open()
        self.running = nil
        try await start(port: running.port)
    }

    /// Starts the embedded server again on `port`.
    private func start(port: Int) async throws {
        running = try await RunningServer.restart(
            configuration: Self.configuration(port: port, clock: clock), store: store, logger: Self.logger)
    }

    func addUser(_ member: Scenario.Member, password: String) async throws {
        guard try await store.user(named: member.user) == nil else { return }
        _ = try await store.addUser(
            name: member.user, role: member.role, team: member.team, territories: member.territories,
            passwordHash: PasswordHasher(iterations: 1_000).hash(password))
    }

    /// Every record the server holds, deleted ones included, with its territory: the truth the checks compare with.
    func records() async throws -> [RecordID: (territory: String, state: RecordState)] {
        try await store.dump().records()
    }

    func stop() {
        running?.stop()
        let store = self.store
        Task { await store.close() }
    }
}
