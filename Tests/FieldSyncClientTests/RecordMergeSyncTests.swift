import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import Testing

/// Record merge on the laptops' side, over real HTTP and real SQLite files: a manager merges a duplicate two reps
/// entered offline, and the edits a rep made to the duplicate before learning of the merge stay in view and land on
/// the card kept.
@Suite struct RecordMergeSyncTests {
    /// Pulls every page into `laptop`'s store without pushing (what a laptop sees between its push and its pull).
    static func pullOnly(_ laptop: TestLaptop) async throws {
        while true {
            let raw = try await laptop.transport.pull(
                cursor: try laptop.store.cursor(), limit: 100, token: laptop.token)
            let page = try JSONDecoder().decode(PullResponse.self, from: raw)
            _ = try laptop.store.applyPulled(page, raw: raw)
            if !page.more { return }
        }
    }

    @Test func aMergeReachesEveryLaptopAndOfflineEditsToTheDuplicateLandOnTheKeptCard() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let carl = try await server.laptop("carl")
        let mia = try await server.laptop("mia")
        // Two reps meet the same customer at a trade fair.
        let kept = try ana.addCustomer("杭州明达机械有限公司")
        try ana.set(kept, "phone", .text("0571-8888 0001"))
        let dup = try carl.addCustomer("杭州明达机械")
        try carl.store.edit(summary: "fields") { builder in
            try builder.set(dup, "phone", .text("0571 88880001"))
            try builder.set(dup, "email", .text("buy@mingda.cn"))
            try builder.add(dup, "tags", "展会")
            let contact = try builder.create(.contact)
            try builder.set(contact, "customer", .text(dup.rawValue))
            try builder.set(contact, "name", .text("王经理"))
        }
        try await ana.sync()
        try await carl.sync()
        try await mia.sync()

        // The manager finds the pair and merges it.
        let pairs = DuplicateRule.pairs(try mia.store.records(.customer).map { ($0.id, $0.state) })
        let pair = try #require(pairs.first)
        #expect(Set([pair.first, pair.second]) == [kept, dup])
        #expect(pair.reasons == [.name, .phone] && pair.score == 100)
        // carl, offline, edits the duplicate's e-mail and notes the visit.
        try carl.store.edit(summary: "carl offline") { builder in
            try builder.set(dup, "email", .text("sales@mingda.cn"))
            try builder.note(dup, "报价已发")
        }
        try mia.store.edit(summary: "merge") { try $0.merge(dup, into: kept) }
        // At once, before any sync, mia's laptop shows one card holding both.
        #expect(try mia.store.record(dup) == nil)
        #expect(try mia.store.record(kept)?.state.value("email") == .text("buy@mingda.cn"))
        #expect(try mia.store.resolveFollowingMerges(dup.rawValue) == (kept, dup))
        #expect(try mia.store.resolve("杭州明达机械") == kept)
        try await mia.sync()

        // carl pulls the merge while his edit is still unsent: it stays in view, on the card kept.
        try await Self.pullOnly(carl)
        #expect(try carl.store.record(dup) == nil)
        let shown = try #require(try carl.store.record(kept))
        #expect(shown.pending)
        #expect(shown.state.value("email") == .text("sales@mingda.cn"))
        #expect(shown.state.notes.map(\.text) == ["报价已发"])
        #expect(try carl.store.resolveFollowingMerges(dup.rawValue) == (kept, dup))
        try await carl.sync()
        try await ana.sync()
        try await mia.sync()

        // One card everywhere, the same on every laptop, with carl's edit and nothing lost.
        let dump = try mia.dump()
        #expect(try ana.dump() == dump)
        #expect(try carl.dump() == dump)
        let card = try #require(try ana.store.record(kept)?.state)
        #expect(card.value("email") == .text("sales@mingda.cn"))
        #expect(card.elements("tags") == ["展会"])
        #expect(card.notes.map(\.text) == ["报价已发"])
        #expect(card.conflicts(of: kept).map(\.field) == ["name", "phone"])
        let contacts = try ana.store.records(.contact)
        #expect(contacts.map { $0.state.value("customer") } == [.text(kept.rawValue)])
        #expect(try ana.store.records(.customer).count == 1)
        #expect(try ana.store.status().pending == 0)
    }
}
