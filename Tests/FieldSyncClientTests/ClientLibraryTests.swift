import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import GRDB
import TestSupport
import Testing

@Suite struct ClientLibraryTests {
    @Test func anOfflineEditIsSavedAtOnceAndSurvivesARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-offline-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try LocalStore(directory: directory)
        var id: RecordID?
        try store.edit(summary: "add") { builder in
            id = try builder.create(.customer)
            try builder.set(id!, "name", .text("明达"))
            try builder.set(id!, "territory", .text("east"))
        }
        #expect(try store.record(id!)?.state.value("name") == .text("明达"))
        let reopened = try LocalStore(directory: directory)
        #expect(try reopened.replica == store.replica)
        #expect(try reopened.record(id!)?.pending == true)
        #expect(try reopened.pendingBatch().count == 1)
        // Invalid input is refused with the model's message and changes nothing.
        #expect(throws: ClientError.self) { try reopened.edit(summary: "bad") { try $0.set(id!, "class", .text("Z")) } }
        #expect(try reopened.pendingBatch().count == 1)
    }

    @Test func whatALaptopShowsOfflineIsWhatTheServerHoldsAfterSync() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        var random = SeededGenerator(seed: 808)
        let ids = try (0..<5).map { try ana.addCustomer("客户 \($0)") }
        for step in 0..<300 {
            let id = ids.randomElement(using: &random)!
            try ana.store.edit(summary: "edit \(step)") { builder in
                switch Int.random(in: 0..<6, using: &random) {
                case 0: try builder.set(id, "phone", .text("0571-\(step)"))
                case 1: try builder.set(id, "class", .text(["A", "B", "C", "D"].randomElement(using: &random)!))
                case 2: try builder.add(id, "tags", ["vip", "key", "new"].randomElement(using: &random)!)
                case 3: try builder.remove(id, "tags", ["vip", "key", "new"].randomElement(using: &random)!)
                case 4: try builder.note(id, "note \(step)")
                default:
                    try builder.set(id, "region", .text("Hangzhou \(step)"))
                    try builder.set(id, "region", .text("Ningbo \(step)"))
                }
            }
        }
        let shown = try ana.dump()
        try await ana.sync()
        #expect(try ana.store.status().pending == 0)
        #expect(try ana.dump() == shown, "each edit updates the view incrementally; the server's replay must agree")
    }

    @Test func syncPushesPullsAndLeavesNothingPending() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let carl = try await server.laptop("carl")
        let id = try ana.addCustomer("杭州明达")
        try ana.set(id, "phone", .text("0571-1"))
        let summary = try await ana.sync()
        #expect(summary.pushed == 2 && summary.acknowledged == 2 && summary.rejected.isEmpty)
        #expect(try ana.store.status().pending == 0)
        try await carl.sync()
        #expect(try carl.value(id, "phone") == .text("0571-1"))
        #expect(try ana.dump() == carl.dump())
    }

    @Test func acknowledgedEditsStayVisibleUntilAPullBringsThem() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let id = try ana.addCustomer("明达")
        try await ana.sync()
        try ana.set(id, "phone", .text("0571-2"))
        let batch = try ana.store.pendingBatch()
        let (response, _) = try await ana.transport.push(PushRequest(mutations: batch), token: ana.token)
        _ = try ana.store.applyPushResults(batch, response)
        #expect(
            try ana.value(id, "phone") == .text("0571-2"), "an acknowledged edit must not flicker away before the pull")
        #expect(try ana.store.status().pending == 0)
        try await ana.sync()
        #expect(try ana.value(id, "phone") == .text("0571-2"))
        #expect(try ana.store.record(id)?.pending == false)
    }

    @Test func aLostResponseIsResentAndAppliesOnce() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let id = try ana.addCustomer("明达")
        try ana.store.edit(summary: "note") { try $0.note(id, "拜访顺利") }
        // The server commits, but the answer never reaches the laptop (killed, or the connection dropped).
        _ = try await ana.transport.push(PushRequest(mutations: try ana.store.pendingBatch()), token: ana.token)
        let summary = try await ana.sync()
        #expect(summary.acknowledged == 2)
        #expect(try ana.store.record(id)?.state.notes.map(\.text) == ["拜访顺利"])
        let history = try await ana.transport.history(of: id, token: ana.token)
        #expect(history.entries.filter { $0.op == "note" }.count == 1)
    }

    @Test func aLaptopFromTheReleaseBeforeCountsItsWaitingChangesAfterTheUpgrade() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-upgrade-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try LocalStore(directory: directory)
        var cards: [RecordID] = []
        for name in ["明达", "宏远"] {
            try store.edit(summary: "add \(name)") { builder in
                let id = try builder.create(.customer)
                try builder.set(id, "name", .text(name))
                try builder.set(id, "territory", .text("east"))
                cards.append(id)
            }
        }
        try store.edit(summary: "edit") { try $0.set(cards[0], "phone", .text("0571-8888888")) }
        try store.edit(summary: "note") { try $0.note(cards[0], "下周回访") }
        try store.edit(summary: "delete") { try $0.delete(cards[1]) }
        let counted = ["customer add 2", "customer delete 1", "customer edit 1", "customer note 1"]
        #expect(try store.pendingOverview().map { "\($0.entity) \($0.kind) \($0.count)" } == counted)

        // The release before stored neither a change's kind nor its first record (laptop schema v9).
        let file = try DatabaseQueue(path: directory + "/replica.sqlite")
        try file.write { db in
            try db.execute(
                sql: """
                    ALTER TABLE pending DROP COLUMN kind; ALTER TABLE pending DROP COLUMN first_record;
                    DELETE FROM grdb_migrations WHERE identifier = 'v10'
                    """)
        }
        try file.close()
        let upgraded = try LocalStore(directory: directory)
        #expect(try upgraded.pendingOverview().map { "\($0.entity) \($0.kind) \($0.count)" } == counted)
        #expect(try upgraded.pendingBatch().count == 5, "every change still waits")
    }

    @Test func aBatchOfEditsTakesOneSeqForEachThatHoldsAndNoneForOneRefused() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        var card: RecordID?
        // An import's batch: a card, a bad line, a contact of that card, then the card edited, in one transaction.
        let results = try ana.store.edits(Array(0..<4)) {
            "line \($0)"
        } _: { line, builder in
            switch line {
            case 0:
                card = try builder.create(.customer)
                try builder.set(card!, "name", .text("杭州明达"))
                try builder.set(card!, "territory", .text("east"))
            case 1: try builder.set(card!, "class", .text("Z"))
            case 2:
                let contact = try builder.create(.contact)
                try builder.set(contact, "customer", .text(card!.rawValue))
                try builder.set(contact, "name", .text("王伟"))
            default: try builder.set(card!, "name", .text("杭州明达机械"))
            }
        }
        #expect(results.map { (try? $0.get()) != nil } == [true, false, true, true])
        let later = try ana.store.edit(summary: "after the batch") { try $0.set(card!, "phone", .text("0571-8888888")) }
        let pending = try ana.store.pendingBatch()
        #expect(pending.map(\.seq) == [1, 2, 3, 4], "a refused line takes no seq: the server never skips one")
        #expect(later.seq == 4)
        #expect(zip(pending, pending.dropFirst()).allSatisfy { $0.hlc < $1.hlc }, "each edit ticks the clock")
        let summary = try await ana.sync()
        #expect(summary.pushed == 4 && summary.acknowledged == 4 && summary.rejected.isEmpty)
        #expect(try ana.value(card!, "name") == .text("杭州明达机械"))
        let carl = try await server.laptop("carl")
        try await carl.sync()
        #expect(try carl.dump() == ana.dump())
    }

    @Test func aRefusedEditIsListedWithTheReasonNeverDropped() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let id = try ana.addCustomer("Westwind", territory: "west")
        let summary = try await ana.sync()
        #expect(summary.rejected.count == 1)
        let rejected = try ana.store.rejected()
        #expect(rejected.map(\.code) == [.forbidden])
        #expect(rejected[0].reason.contains("territory west"))
        #expect(try ana.store.record(id) == nil, "the refused create no longer shows as a record")
        try ana.store.discardRejected(rejected[0].seq)
        #expect(try ana.store.rejected().isEmpty)
    }

    @Test func aRecordMovedAwayLeavesTheLaptopAndOfflineEditsToItAreRefusedWithTheReason() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let root = try await server.laptop("root")
        let id = try ana.addCustomer("明达")
        try await ana.sync()
        try await root.sync()
        try root.set(id, "territory", .text("west"))
        try await root.sync()
        try ana.set(id, "phone", .text("0571-3"))  // offline, before ana hears of the move
        let summary = try await ana.sync()
        #expect(summary.removed == 1)
        #expect(try ana.store.record(id) == nil)
        let rejected = try ana.store.rejected()
        #expect(rejected.count == 1 && rejected[0].reason.contains("moved to territory west"))
    }

    @Test func newTerritoriesBringNewRecordsAndDropOldOnes() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let bo = try await server.laptop("bo")
        let east = try ana.addCustomer("East Co")
        let west = try bo.addCustomer("West Co", territory: "west")
        try await ana.sync()
        try await bo.sync()
        try await server.store.setTerritories(of: "ana", to: ["west"])
        try await ana.sync()
        #expect(try ana.store.record(east) == nil)
        #expect(try ana.store.record(west) != nil)
    }

    @Test func aResolvedConflictSyncsToEveryone() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let carl = try await server.laptop("carl")
        let id = try ana.addCustomer("明达")
        try await ana.sync()
        try await carl.sync()
        try ana.set(id, "phone", .text("0571-1111"))
        try carl.set(id, "phone", .text("0571-2222"))
        try await ana.sync()
        #expect(try await carl.sync().newConflicts == 1, "carl's sync reports the conflict it brought")
        #expect(try await ana.sync().newConflicts == 1)
        #expect(try await ana.sync().newConflicts == 0, "an open conflict is reported once, not at every sync")
        #expect(try ana.store.conflicts().map(\.id) == ["\(id)/phone"])
        #expect(try ana.dump() == carl.dump())
        let conflict = try #require(try ana.store.conflicts().first)
        try ana.store.edit(summary: "resolve") { try $0.set(id, "phone", conflict.heads[0].value) }
        try await ana.sync()
        try await carl.sync()
        #expect(try carl.store.conflicts().isEmpty)
        #expect(try carl.value(id, "phone") == conflict.heads[0].value)
    }

    /// A rep's acknowledged edit stays in the view while a long pull is under way, also when the process stops
    /// between pages: the record's newer version (a colleague edited it since) is on a later page.
    @Test func anAcknowledgedEditStaysVisibleUntilThePullThatBringsItsRecordEnds() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let carl = try await server.laptop("carl")
        let card = try ana.addCustomer("温州陈氏贸易")
        try await ana.sync()
        try await carl.sync()
        try ana.set(card, "phone", .text("0577-1111"))
        let batch = try ana.store.pendingBatch()
        let (response, _) = try await ana.transport.push(PushRequest(mutations: batch), token: ana.token)
        #expect(try ana.store.applyPushResults(batch, response).acknowledged == 1)
        // A colleague pushes 30 new cards, then edits the same card: its version is now past all 30.
        for index in 0..<30 { _ = try carl.addCustomer("客户 \(index)") }
        try await carl.sync()
        try carl.set(card, "region", .text("温州"))
        try await carl.sync()
        // One page of ten, then the laptop stops.
        let raw = try await ana.transport.pull(cursor: try ana.store.cursor(), limit: 10, token: ana.token)
        let page = try JSONDecoder().decode(PullResponse.self, from: raw)
        #expect(page.more && page.changeSeq >= response.changeSeq)
        try ana.store.applyPulled(page, raw: raw)
        let reopened = try LocalStore(directory: ana.directory)
        #expect(try reopened.record(card)?.state.value("phone") == .text("0577-1111"), "the acknowledged edit vanished")
        // The next edit builds on the rep's own write: after a full sync there is no conflict with herself.
        try ana.set(card, "phone", .text("0577-2222"))
        try await ana.sync()
        #expect(try ana.value(card, "phone") == .text("0577-2222"))
        #expect(try ana.value(card, "region") == .text("温州"))
        #expect(try ana.store.conflicts().isEmpty, "the rep's second edit conflicts with her first")
    }

    @Test func aPulledChangeToARecordWithPendingEditsKeepsThoseEditsInView() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let carl = try await server.laptop("carl")
        let card = try ana.addCustomer("湖州丝绸厂")
        try await ana.sync()
        try await carl.sync()
        try ana.set(card, "phone", .text("0572-1234"))  // offline, not pushed
        try carl.set(card, "region", .text("湖州"))
        try await carl.sync()
        let raw = try await ana.transport.pull(cursor: try ana.store.cursor(), limit: 10, token: ana.token)
        try ana.store.applyPulled(try JSONDecoder().decode(PullResponse.self, from: raw), raw: raw)
        #expect(try ana.value(card, "region") == .text("湖州"))
        #expect(try ana.value(card, "phone") == .text("0572-1234"), "the pending edit left the view")
        #expect(try ana.store.status().pending == 1)
    }
}
