import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import Logging

/// A seeded simulation of a sales team: reps plan and complete visits, edit customer cards and move opportunities
/// through their stages offline, managers move customers between territories, edit the pipeline and resolve
/// conflicts, everyone syncs at random moments through injected faults; then `SimulationCheck` proves nothing was
/// lost and everyone converged.
///
/// The schedule (who edits what, who syncs when, which faults strike) follows from the seed; the interleaving of
/// syncs running at the same moment is up to the machine, so a seed replays the schedule, not every byte.
public struct Simulation {
    let config: SimulationConfig
    static let password = "simulated-rep-password"

    /// Creates a simulation.
    public init(_ config: SimulationConfig) {
        self.config = config
    }

    /// A team member as the simulation assigns them.
    struct Member {
        let name: String
        let role: Role
        let team: String
        let territories: [String]
    }

    /// Reps three to a territory, territories dealt to teams in turn, one manager per team, one admin reading the
    /// truth.
    var members: [Member] {
        let prefix = "sim\(config.seed % 100_000)"
        let managers = max(1, config.managers)
        var members = (0..<config.reps).map { index in
            Member(
                name: "\(prefix)-rep\(index)", role: .rep, team: "\(prefix)-team\((index / 3) % managers)",
                territories: ["\(prefix)-t\(index / 3)"])
        }
        members += (0..<config.managers).map {
            Member(name: "\(prefix)-mgr\($0)", role: .manager, team: "\(prefix)-team\($0)", territories: [])
        }
        members.append(Member(name: "\(prefix)-admin", role: .admin, team: "\(prefix)-hq", territories: []))
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
        guard config.reps >= 1, config.days >= 1, config.managers >= 0 else {
            throw SimulationError.badArgument("--reps and --days must be at least 1, --managers at least 0.")
        }
        let work =
            config.workDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "fieldsync-sim-\(config.seed)-\(UUID().uuidString.prefix(8))"
            ).path
        defer { if config.workDirectory == nil { Self.remove(work) } }
        let server = try await SimServer.start(config: config, work: work)
        defer { server.stop() }
        let members = self.members
        for member in members {
            try await server.addUser(member, password: Self.password)
        }
        var random = SeededGenerator(seed: config.seed)
        var laptops: [SimLaptop] = []
        let futureIndex = config.faults.contains(.skew) && config.reps > 1 ? config.reps - 1 : nil
        for (index, member) in members.enumerated() {
            var skew: Int64 = 0
            if config.faults.contains(.skew), member.role != .admin {
                skew =
                    index == futureIndex
                    ? 3 * 86_400_000 : (random.chance(40) ? -Int64.random(in: 1...5, using: &random) * 3_600_000 : 0)
            }
            let node = server.urls[index % server.urls.count]
            let transport = try FaultyTransport(server: node, faults: config.faults, seed: random.next())
            let laptop = try SimLaptop(
                user: member.name, role: member.role, directory: work + "/laptop-\(member.name)", transport: transport,
                skewMs: skew)
            try await laptop.login(server: node, password: Self.password)
            laptops.append(laptop)
        }
        let admin = laptops.removeLast()
        // The faults of real teams: a copied rep, a rep whose clock runs ahead, a server restored from a backup.
        let reps = laptops.indices.filter { laptops[$0].role == .rep && $0 != futureIndex }
        let cloned = config.faults.contains(.clone) ? reps.first : nil
        let clockfix = config.faults.contains(.clockfix) ? reps.dropFirst().first ?? reps.first : nil
        let rounds = config.days * 4
        let (backupRound, restoreRound) = (rounds / 3, (2 * rounds) / 3 + 1)
        var (copies, restores, clockCorrections) = (0, 0, 0)
        let started = ContinuousClock.now
        var world = SimWorld(members: members, hotShare: config.hotShare)
        try await world.seed(laptops: laptops)
        log("set up \(laptops.count) laptops on \(server.urls.joined(separator: ", ")) (\(server.location))")

        for day in 0..<config.days {
            for laptop in laptops where laptop.role == .rep && laptop.offlineUntilDay <= day && random.chance(10) {
                laptop.offlineUntilDay = day + Int.random(in: 2...3, using: &random)
            }
            for round in 0..<4 {
                let step = day * 4 + round
                if let cloned, step == 1 || step == rounds - 2 {
                    let original = laptops[cloned]
                    let copy = try original.copy(
                        to: work + "/laptop-\(original.user)-copy\(step)",
                        transport: try FaultyTransport(
                            server: original.transport.inner.base.absoluteString, faults: config.faults,
                            seed: random.next()),
                        imaged: step != 1)
                    laptops.append(copy)
                    copies += 1
                    log("step \(step): \(original.user)'s data folder copied\(step != 1 ? " (imaged)" : "")")
                }
                if let clockfix, step == 0 { try laptops[clockfix].setSkew(3 * 86_400_000) }
                if let clockfix, step == rounds / 2 {
                    try laptops[clockfix].setSkew(0)
                    clockCorrections += 1
                    log("step \(step): \(laptops[clockfix].user)'s clock corrected")
                }
                if config.faults.contains(.restore), server.embedded, step == backupRound {
                    try await server.backup()
                    log("step \(step): server backed up")
                }
                if config.faults.contains(.restore), server.embedded, step == restoreRound {
                    try await server.restore()
                    restores += 1
                    log("step \(step): server restored from its backup")
                }
                for laptop in laptops {
                    let edits = laptop.role == .manager ? 2 : max(1, config.editsPerDay / 4)
                    for step in 0..<edits {
                        world.act(laptop, day: day, tag: "d\(day)r\(round)s\(step)", random: &random)
                    }
                }
                if config.faults.contains(.restart), server.embedded, random.chance(15) {
                    try await server.restart()
                    log("day \(day) round \(round): server restarted")
                }
                let syncing = laptops.filter { $0.offlineUntilDay <= day && random.chance(50) }
                try await Self.syncAll(syncing)
                if let clockfix, step >= rounds / 2, syncing.contains(where: { $0 === laptops[clockfix] }) {
                    try laptops[clockfix].retryRefusedForSkew()  // the corrected clock's sync told the user to
                }
            }
            log("day \(day + 1) of \(config.days) done")
        }

        // A copied rep and every copy each add a card and sync: copies that share a replica id now diverge, and the
        // server must tell all but one to take a new id (checked), even where one of them never edited before.
        if let cloned, copies > 0 {
            let family = [laptops[cloned]] + laptops.suffix(copies)
            for laptop in family { world.addCustomer(laptop, tag: "after copy") }
            for laptop in family { try await laptop.sync() }
        }

        // Managers clean up after the fair: with everyone's cards on the server, each merges the likely duplicates
        // of their team's view (every one planted must be found: checked).
        if !world.planted.isEmpty {
            for laptop in laptops { laptop.offlineUntilDay = 0 }
            try await Self.syncAll(laptops, settle: true)
            for laptop in laptops where laptop.role == .manager { world.mergeDuplicates(laptop, limit: 100) }
        }

        // Everyone comes back online and syncs until quiet, faults off: what is left to check is the outcome.
        // Until quiet: a change one laptop sends late (a re-offer that waited for another laptop to heal the server)
        // must still reach everyone, so rounds go on until one where nobody pushed anything.
        for round in 0..<6 {
            for laptop in laptops { laptop.offlineUntilDay = 0 }
            try await Self.syncAll(laptops, settle: true)
            if let clockfix { try laptops[clockfix].retryRefusedForSkew() }
            if round > 0 && laptops.allSatisfy({ $0.pushedWhileSettling == 0 }) { break }
        }
        try await admin.settle()
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let records = try await server.records()
        return try SimulationCheck(
            config: config, members: members, laptops: laptops, admin: admin, world: world,
            futureLaptop: futureIndex.map { laptops[$0] }, server: records, restarts: server.restarts,
            copies: copies, restores: restores, clockCorrections: clockCorrections,
            seconds: seconds
        ).report()
    }

    /// Syncs laptops at the same moment, as reps coming back to the office do.
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

    private init(store: any SyncStore, location: StoreLocation, urls: [String], running: RunningServer?) {
        self.store = store
        self.location = location
        self.urls = urls
        self.running = running
    }

    static func start(config: SimulationConfig, work: String) async throws -> SimServer {
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
            configuration: configuration(port: 0), store: store, logger: logger)
        let server = SimServer(store: store, location: location, urls: [running.url], running: running)
        server.backupPath = work + "/server-backup.sqlite"
        return server
    }

    static func configuration(port: Int) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = port
        configuration.passwordIterations = 1_000
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
            configuration: Self.configuration(port: port), store: store, logger: Self.logger)
    }

    func addUser(_ member: Simulation.Member, password: String) async throws {
        guard try await store.user(named: member.name) == nil else { return }
        _ = try await store.addUser(
            name: member.name, role: member.role, team: member.team, territories: member.territories,
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
