import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import GRDB
import Synchronization
import Testing

/// What real laptops and servers go through (issue 12), end to end over real HTTP and real SQLite files: copied and
/// restored data folders, a server restored from a backup, a clock that ran ahead and was corrected.
@Suite struct RecoveryTests {
    /// Every note text the server holds, with how many times (a note applied twice would be counted twice).
    static func notes(_ live: LiveServer) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (_, record) in try await live.store.dump().records() {
            for note in record.state.notes { counts[note.text, default: 0] += 1 }
        }
        return counts
    }

    /// A second install of `laptop`'s data folder: copied to `directory`, or (`imaged`) opened as a disk image on a
    /// machine with the same id and path would be, so nothing on the laptop can tell it is a copy.
    static func copy(_ laptop: TestLaptop, to directory: String, imaged: Bool) throws -> TestLaptop {
        try FileManager.default.copyItem(atPath: laptop.directory, toPath: directory)
        let store =
            imaged
            ? try LocalStore(
                DatabaseQueue(
                    path: ReplicaFile(directory: directory).path, configuration: LocalStore.makeConfiguration()))
            : try LocalStore(directory: directory)
        return TestLaptop(store: store, transport: laptop.transport, token: laptop.token, directory: directory)
    }

    static func note(_ laptop: TestLaptop, _ id: RecordID, _ text: String) throws {
        try laptop.store.edit(summary: "note") { try $0.note(id, text) }
    }

    @Test func anImagedCopyIsToldApartByItsDigestAndBothInstallsEditsReachTheServer() async throws {
        let live = try await LiveServer.start()
        defer { live.stop() }
        let ana = try await live.laptop("ana")
        let card = try ana.addCustomer("Acme")
        try await ana.sync()
        let image = try Self.copy(ana, to: ana.directory + "-image", imaged: true)
        try Self.note(ana, card, "from the original")
        try await ana.sync()
        // The image numbers its next edit as the original did: the server has a different mutation there.
        try Self.note(image, card, "from the image")
        try Self.note(image, card, "from the image, again")
        let summary = try await image.sync()
        #expect(summary.notices.count == 1 && summary.notices[0].contains("now uses"), "\(summary.notices)")
        #expect(try image.store.replica != ana.store.replica)
        try Self.note(ana, card, "the original goes on")
        try await ana.sync()
        try await image.sync()
        let notes = try await Self.notes(live)
        #expect(
            notes == [
                "from the original": 1, "from the image": 1, "from the image, again": 1, "the original goes on": 1,
            ])
        #expect(try ana.dump() == image.dump())
        #expect(try image.store.status().pending == 0 && image.store.rejected().isEmpty)
    }

    @Test func aFolderCopiedElsewhereTakesANewReplicaIdBeforeItsFirstPush() async throws {
        let live = try await LiveServer.start()
        defer { live.stop() }
        let ana = try await live.laptop("ana")
        let card = try ana.addCustomer("Acme")
        try Self.note(ana, card, "queued before the copy")
        let copy = try Self.copy(ana, to: ana.directory + "-copy", imaged: false)
        let notices = try copy.store.takeNotices()
        #expect(notices.count == 1 && notices[0].contains("copied"), "\(notices)")
        #expect(try copy.store.replica != ana.store.replica)
        try Self.note(copy, card, "made on the copy")
        try await copy.sync()
        try Self.note(ana, card, "made on the original")
        try await ana.sync()
        try await copy.sync()
        // What was queued before the copy is one mutation, whichever install sent it first.
        #expect(
            try await Self.notes(live)
                == ["queued before the copy": 1, "made on the copy": 1, "made on the original": 1])
        #expect(try ana.dump() == copy.dump())
    }

    @Test func aServerRestoredFromABackupHealsFromTheLaptops() async throws {
        var live = try await LiveServer.start()
        defer { live.stop() }
        let ana = try await live.laptop("ana")
        let carl = try await live.laptop("carl")
        let shared = try ana.addCustomer("Before the backup")
        try await ana.sync()
        try await carl.sync()
        let backup = live.directory.appendingPathComponent("backup.sqlite").path
        try await live.store.backup(to: backup)
        // After the backup: work both laptops have had acknowledged, and that the restore loses.
        let anaCard = try ana.addCustomer("Ana after the backup")
        try ana.set(shared, "phone", .text("+49 30 1234"))
        try await ana.sync()
        try await carl.sync()
        let carlCard = try carl.addCustomer("Carl after the backup")
        try Self.note(carl, anaCard, "carl saw ana's card")
        try await carl.sync()
        try await ana.sync()
        let before = try ana.dump()

        live = try await live.restarted { store in try await Backup.restore(try await Backup.read(backup), into: store)
        }
        #expect(try await live.store.dump().records()[anaCard] == nil, "the restore must have lost the new work")
        // Carl heals first: his note is on ana's card, which only ana can re-offer, so it waits (listed, with the
        // server's reason) and is sent again by itself at his next sync, once ana has synced.
        let carlSync = try await carl.sync()
        #expect(carlSync.notices.contains { $0.contains("restored from a backup") }, "\(carlSync.notices)")
        #expect(try carl.store.rejected().count == 1)
        try await ana.sync()
        try await carl.sync()
        try await ana.sync()
        let records = try await live.store.dump().records()
        #expect(records[anaCard]?.state.exists == true && records[carlCard]?.state.exists == true)
        #expect(records[shared]?.state.value("phone") == .text("+49 30 1234"))
        #expect(try await Self.notes(live) == ["carl saw ana's card": 1])
        #expect(try ana.dump() == before && carl.dump() == before)
        #expect(try ana.store.rejected().isEmpty && carl.store.rejected().isEmpty)
    }

    /// After a restore the laptops re-offer in whatever order they come back, not the order of the history: here the
    /// admin's move of a customer out of ana's territory comes back before ana's earlier edit of it. The edit carries
    /// the server's receipt, so it is applied as the change the server authorized once, not refused as ana's edit
    /// of a customer she may no longer see.
    @Test func aReofferCarriesItsReceiptSoALaterMoveReofferedFirstRefusesNothing() async throws {
        var live = try await LiveServer.start()
        defer { live.stop() }
        let ana = try await live.laptop("ana")
        let root = try await live.laptop("root")
        let card = try ana.addCustomer("Moved after ana's edit")
        try await ana.sync()
        try await root.sync()
        let backup = live.directory.appendingPathComponent("backup.sqlite").path
        try await live.store.backup(to: backup)
        try ana.set(card, "phone", .text("+86 571 8888 0000"))
        try await ana.sync()
        try await root.sync()
        try root.set(card, "territory", .text("west"))
        try await root.sync()
        try await ana.sync()
        #expect(try ana.store.record(card) == nil, "the move took the card off ana's laptop")

        live = try await live.restarted { store in try await Backup.restore(try await Backup.read(backup), into: store)
        }
        try await root.sync()  // the move comes back first: the card is in west again
        #expect(try await live.store.dump().records()[card]?.territory == "west")
        try await ana.sync()
        try await root.sync()
        let refused = try ana.store.rejected().map(\.reason)
        #expect(refused.isEmpty, "\(refused)")
        let stored = try #require(try await live.store.dump().records()[card])
        #expect(stored.territory == "west" && stored.state.value("phone") == .text("+86 571 8888 0000"))
        #expect(try root.value(card, "phone") == .text("+86 571 8888 0000"))
    }

    @Test func whatLeftTheRetentionWindowIsReportedNotSilentlyDropped() async throws {
        var live = try await LiveServer.start()
        defer { live.stop() }
        let backup = live.directory.appendingPathComponent("backup.sqlite").path
        let laterMs = Atomic<Int64>(0)
        let directory = live.directory.appendingPathComponent("laptop-ana-window").path
        let store = try LocalStore(
            directory: directory, now: { LocalStore.systemMilliseconds() + laterMs.load(ordering: .relaxed) })
        let transport = try HTTPTransport(server: live.url)
        let login = try await transport.login(store.loginRequest(user: "ana", password: LiveServer.password))
        try store.startSession(login, server: live.url)
        let ana = TestLaptop(store: store, transport: transport, token: login.token, directory: directory)
        try await live.store.backup(to: backup)
        _ = try ana.addCustomer("Synced two days ago")
        try await ana.sync()
        try store.setRetentionDays(1)
        laterMs.store(2 * 86_400_000, ordering: .relaxed)
        try await ana.sync()  // two days on: the synced change leaves the window
        #expect(try store.status().kept == 0)

        live = try await live.restarted { store in try await Backup.restore(try await Backup.read(backup), into: store)
        }
        let summary = try await ana.sync()
        let notice = try #require(summary.notices.first { $0.contains("restored from a backup") })
        #expect(notice.contains("1 older change had left the 1-day retention window"), "\(notice)")
    }

    @Test func aCorrectedClockRecoversAtTheNextSyncAndRetryThenSucceeds() async throws {
        let live = try await LiveServer.start()
        defer { live.stop() }
        let ana = try await live.laptop("ana")
        let threeDays: Int64 = 3 * 86_400_000
        let ahead = TestLaptop(
            store: try LocalStore(directory: ana.directory, now: { LocalStore.systemMilliseconds() + threeDays }),
            transport: ana.transport, token: ana.token, directory: ana.directory)
        _ = try ahead.addCustomer("Stamped three days ahead")
        let refused = try await ahead.sync()
        #expect(refused.rejected.count == 1)
        // The clock is set right; the laptop's stored clock still reads three days ahead.
        let fixed = TestLaptop(
            store: try LocalStore(directory: ana.directory), transport: ana.transport, token: ana.token,
            directory: ana.directory)
        let pending = try fixed.addCustomer("Made after the fix")
        let summary = try await fixed.sync()
        #expect(summary.rejected.isEmpty, "\(summary.rejected)")
        #expect(summary.notices.contains { $0.contains("clock had run ahead") }, "\(summary.notices)")
        let entry = try #require(try fixed.store.rejected().first)
        _ = try fixed.store.retryRejected(entry.seq)
        let retried = try await fixed.sync()
        #expect(retried.rejected.isEmpty && retried.acknowledged == 1)
        let records = try await live.store.dump().records()
        #expect(records.count == 2 && records[pending] != nil)
        #expect(records.values.allSatisfy { $0.state.fields["name"]!.heads[0].hlc.wallMs < Self.now() + 60_000 })
        // A laptop whose clock is still wrong is still refused.
        _ = try ahead.addCustomer("Still three days ahead")
        #expect(try await ahead.sync().rejected.count == 1)
    }

    static func now() -> Int64 { LocalStore.systemMilliseconds() }
}
