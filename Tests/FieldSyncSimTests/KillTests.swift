import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import TestSupport
import Testing

/// SIGKILL with real processes: the server while it commits a push, a laptop while it applies a pull. After both
/// restart and sync, every edit is on the server exactly once and the laptops equal the server.
@Suite struct KillTests {
    static let password = "kill-test-password"

    /// Starts `fieldsync sync` for a laptop in the background.
    static func startSync(_ directory: String) throws -> Process {
        let process = Process()
        process.executableURL = try BinaryRunner.binary("fieldsync")
        process.arguments = ["sync", "--data-dir", directory]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Like every launch in BinaryRunner, the environment is given explicitly; a launch reading the live
        // environment crashed once in Process.run (memcpy) while other tests were starting processes.
        process.environment = ProcessInfo.processInfo.environment
        try BinaryRunner.launch(process)
        return process
    }

    /// Starts `fieldsync sync` for a laptop and kills it `after` the given time, unless it ended first.
    static func syncKilled(_ directory: String, after delay: Duration) throws -> Bool {
        try killed(try startSync(directory), after: delay)
    }

    /// Runs `binary arguments` and kills it `after` the given time, unless it ended first; returns whether it was killed.
    static func runKilled(_ binary: String, _ arguments: [String], after delay: Duration) throws -> Bool {
        let process = Process()
        process.executableURL = try BinaryRunner.binary(binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment
        try BinaryRunner.launch(process)
        return try killed(process, after: delay)
    }

    /// Kills `process` `after` the given time unless it ended first, and waits for it; returns whether it was killed.
    ///
    /// The wait is a plain thread sleep, not `Task.sleep`: with every core busy running the other suites, a task's
    /// wake-up can come seconds late, long after the moment the kill was meant for.
    static func killed(_ process: Process, after delay: Duration) throws -> Bool {
        let (seconds, attoseconds) = delay.components
        usleep(useconds_t(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        try BinaryRunner.waitForExit(process, within: .seconds(120))
        return killed
    }

    static func sync(_ directory: String) throws {
        let outcome = try BinaryRunner.run("fieldsync", ["sync", "--data-dir", directory])
        try #require(outcome.status == 0, "fieldsync sync: \(outcome.output)\(outcome.error)")
    }

    static func login(_ directory: String, user: String, server: String) throws {
        let outcome = try BinaryRunner.run(
            "fieldsync", ["login", "--server", server, "--user", user, "--password-stdin", "--data-dir", directory],
            stdin: password + "\n")
        try #require(outcome.status == 0, "fieldsync login: \(outcome.output)\(outcome.error)")
    }

    @Test func killedServerAndKilledLaptopLoseAndDuplicateNothing() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-kill-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let database = work + "/server.sqlite"
        let setup = try await SQLiteStore(path: database)
        for user in ["ana", "carl"] {
            _ = try await setup.addUser(
                name: user, role: .rep, team: "north", territories: ["east"],
                passwordHash: PasswordHasher(iterations: 1_000).hash(Self.password))
        }
        let port = PostgresFixture.freePort()
        var server = try await BinaryRunner.Server(db: database, port: port)
        let url = server.url
        let ana = work + "/ana"
        let carl = work + "/carl"
        try Self.login(ana, user: "ana", server: url)
        try Self.login(carl, user: "carl", server: url)

        // Ana works offline: 3,000 customer cards, each with a note that must reach the server exactly once.
        let store = try LocalStore(directory: ana)
        for index in 0..<3_000 {
            try store.edit(summary: "add") { builder in
                let id = try builder.create(.customer)
                try builder.set(id, "name", .text("Kill test customer \(index)"))
                try builder.set(id, "territory", .text("east"))
                try builder.note(id, "note \(index)")
            }
        }

        // The server is killed while it commits her pushes, restarted, killed again, until her sync completes.
        var serverKills = 0
        for round in 0..<6 {
            let laptop = try Self.startSync(ana)
            usleep(useconds_t((150 + 120 * round) * 1_000))  // a thread sleep, as in `killed(_:after:)`
            // Only a killed server is waited for and restarted: one left running never exits by itself.
            if laptop.isRunning {
                kill(server.process.processIdentifier, SIGKILL)
                serverKills += 1
                try BinaryRunner.waitForExit(server.process, within: .seconds(30))
                server = try await BinaryRunner.Server(db: database, port: port)
            }
            try BinaryRunner.waitForExit(laptop, within: .seconds(120))
            if try LocalStore(directory: ana).status().pending == 0 { break }
        }
        try Self.sync(ana)
        #expect(serverKills > 0, "the server was never killed mid-push: raise the workload")

        // Carl's laptop is killed while it applies the pull of her 3,000 cards, then syncs again.
        var laptopKills = 0
        // Shorter delays follow only if no kill landed (a sync that ended first): the pull must be cut at least once.
        for delay in [60, 200, 400, 30, 15, 5] where laptopKills == 0 || delay >= 60 {
            if try Self.syncKilled(carl, after: .milliseconds(delay)) { laptopKills += 1 }
        }
        try Self.sync(carl)
        try Self.sync(ana)
        #expect(laptopKills > 0, "the laptop was never killed mid-pull")
        server.stop()

        let serverStore = try await SQLiteStore(path: database)
        let records = try await serverStore.dump().tables["records"] ?? []
        #expect(records.count == 3_000, "the server holds \(records.count) of 3,000 records")
        let history = try await serverStore.dump().tables["history"] ?? []
        let notes = history.filter { $0[3] == .text("note") }.count
        #expect(notes == 3_000, "\(notes) notes in the server's history for 3,000 edits")
        let anaRecords = try LocalStore(directory: ana).records()
        let carlRecords = try LocalStore(directory: carl).records()
        #expect(try LocalStore(directory: ana).status().pending == 0)
        #expect(anaRecords.count == 3_000 && carlRecords.count == 3_000)
        let anaStates = Dictionary(uniqueKeysWithValues: anaRecords.map { ($0.id, $0.state) })
        #expect(carlRecords.allSatisfy { anaStates[$0.id] == $0.state }, "carl's laptop differs from ana's")

        // A backup killed half way leaves nothing under its name; a restore killed half way changes nothing.
        let backup = work + "/nightly.sqlite"
        var backupKills = 0
        for delay in [2, 10, 30] {
            try? FileManager.default.removeItem(atPath: backup)
            guard
                try Self.runKilled(
                    "fieldsync-server", ["backup", "--db", database, "--to", backup], after: .milliseconds(delay))
            else { continue }
            backupKills += 1
            // Killed before its rename: nothing under the name; killed after it: a whole backup.
            if FileManager.default.fileExists(atPath: backup) {
                #expect(try await Backup.read(backup).tables["records"]?.count == 3_000, "a killed backup is partial")
            }
        }
        let finished = try BinaryRunner.run("fieldsync-server", ["backup", "--db", database, "--to", backup])
        try #require(finished.status == 0, "\(finished.error)")
        let backupHistory = try await Backup.read(backup).tables["history"]?.count
        var restoreKills = 0
        for delay in [20, 60, 120, 250]
        where try Self.runKilled(
            "fieldsync-server",
            // Without the safety copy too, so kills also land inside the replacing transaction itself.
            ["restore", "--db", database, "--from", backup] + (delay < 100 ? ["--no-safety-copy"] : []),
            after: .milliseconds(delay))
        {
            restoreKills += 1
            let reopened = try await SQLiteStore(path: database)
            let dump = try await reopened.dump()
            #expect(
                dump.tables["records"]?.count == 3_000, "a killed restore left \(dump.tables["records"]?.count ?? 0)")
            #expect(dump.tables["history"]?.count == backupHistory, "a killed restore left part of the history")
        }
        let restored = try BinaryRunner.run("fieldsync-server", ["restore", "--db", database, "--from", backup])
        #expect(restored.status == 0, "\(restored.error)")
        #expect(backupKills + restoreKills > 0, "neither the backup nor the restore was ever killed half way")
        testOutput(
            "kill test: server killed \(serverKills)× mid-push, laptop killed \(laptopKills)× mid-pull; 3,000 of 3,000"
                + " kept once; backup killed \(backupKills)×, restore killed \(restoreKills)×, nothing half-written")
    }
}
