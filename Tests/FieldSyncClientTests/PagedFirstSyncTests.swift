import FieldSyncClient
import FieldSyncModel
import Foundation
import Testing

/// A first sync pulled back in pages: the views of records whose edits were acknowledged are rebased on the pull's
/// last page (`LocalStore.applyPulled`), without decoding them; a sync cut off after a page leaves them for the next
/// one, and another rep's change made in between shows.
@Suite struct PagedFirstSyncTests {
    @Test func aPagedFirstSyncCutOffAfterAPageShowsEveryRecordAsTheServerHoldsIt() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let ids = try (0..<30).map { try ana.addCustomer("客户 \($0)") }
        try ana.set(ids[3], "phone", .text("0571-3"))
        let shown = try ana.dump()

        // carl (same territory) changes a card of ana's after she pushed and before her pull reaches it.
        let killing = KillingTransport(ana.transport, schemaVersion: Schema.fieldSync.version)
        var engine = SyncEngine(store: ana.store, transport: killing, token: ana.token)
        engine.pullLimit = 7
        killing.pagesLeft.withLock { $0 = 1 }
        await #expect(throws: KillingTransport.Killed.self) { _ = try await engine.sync() }
        #expect(try ana.store.records().allSatisfy(\.pending), "acknowledged, not yet retired: the pull did not end")
        #expect(try ana.dump() == shown, "a record whose view waits shows what the laptop showed")
        try ana.set(ids[0], "phone", .text("0571-0000"))  // an edit to a record whose view waits
        let carl = try await server.laptop("carl")
        try await carl.sync()
        try carl.set(ids[29], "phone", .text("0571-2929"))
        try await carl.sync()

        killing.pagesLeft.withLock { $0 = nil }
        _ = try await engine.sync()
        #expect(try ana.store.status().pending == 0)
        #expect(try ana.value(ids[29], "phone") == .text("0571-2929"))
        #expect(try ana.value(ids[3], "phone") == .text("0571-3"))
        #expect(try ana.value(ids[0], "phone") == .text("0571-0000"))
        #expect(try ana.store.records().allSatisfy { !$0.pending }, "no record is left marked pending")
        let fresh = try await server.laptop("ana")
        try await fresh.sync()
        #expect(try ana.dump() == fresh.dump(), "the laptop shows what a fresh laptop pulls")
        #expect(try ana.dump().count == 30)
    }

    /// A change the server refuses leaves the record as the server holds it, found by its name there: the view
    /// rebased without decoding must not keep the refused change's name in its columns.
    @Test func aRefusedRenameLeavesTheCardFoundByItsServerName() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let id = try ana.addCustomer("明达机械")
        try await ana.sync()
        try ana.store.edit(summary: "rename and move") { builder in
            try builder.set(id, "name", .text("明达新名"))
            try builder.set(id, "territory", .text("west"))
        }
        #expect(try ana.store.resolveFollowingMerges("明达新名").id == id)
        let summary = try await ana.sync()
        #expect(summary.rejected.count == 1)
        #expect(try ana.value(id, "name") == .text("明达机械"))
        #expect(try ana.store.resolveFollowingMerges("明达机械").id == id)
        #expect(throws: ClientError.self) { try ana.store.resolveFollowingMerges("明达新名") }
        #expect(try ana.store.records().map(\.pending) == [false])
    }
}
