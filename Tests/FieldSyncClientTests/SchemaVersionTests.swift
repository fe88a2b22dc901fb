import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import TestSupport
import Testing

/// Laptops on last month's release (schema version 1) and this month's (version 2) on one server, over real HTTP and
/// real SQLite files: what each sees, what each may write, and that neither loses the other's work.
@Suite struct SchemaVersionTests {
    /// Ana on version 2 and Carl on version 1, both synced after Ana wrote `versionTwoData`.
    struct Team {
        let server: LiveServer
        let ana: TestLaptop
        let carl: TestLaptop
        let contact: RecordID, deal: RecordID, item: RecordID

        static func start() async throws -> Team {
            let server = try await LiveServer.start()
            let ana = try await server.laptop("ana")
            let carl = try await server.laptop("carl", schemaVersion: 1)
            let (contact, deal, item) = try await SchemaVersionTests.versionTwoData(ana)
            try await carl.sync()
            return Team(server: server, ana: ana, carl: carl, contact: contact, deal: deal, item: item)
        }
    }

    /// A customer with a contact (WeChat id, the new role), a deal with the rep's own probability and a line item,
    /// all written by a version-2 laptop and synced.
    static func versionTwoData(_ ana: TestLaptop) async throws -> (contact: RecordID, deal: RecordID, item: RecordID) {
        let customer = try ana.addCustomer("温州陈氏五金")
        var contact: RecordID?
        var deal: RecordID?
        var item: RecordID?
        try ana.store.edit(summary: "version 2 data") { builder in
            contact = try builder.create(.contact)
            try builder.set(contact!, "customer", .text(customer.rawValue))
            try builder.set(contact!, "name", .text("陈伟"))
            try builder.set(contact!, "wechat", .text("chenwei-wz"))
            try builder.set(contact!, "role", .text("champion"))
            deal = try builder.create(.opportunity)
            try builder.set(deal!, "customer", .text(customer.rawValue))
            try builder.set(deal!, "title", .text("仓库货架"))
            try builder.set(deal!, "amount", .money(Money(minor: 1_000_000, currency: "CNY")))
            try builder.set(deal!, "probability", .integer(90))
            item = try builder.create(.lineItem)
            try builder.set(item!, "customer", .text(customer.rawValue))
            try builder.set(item!, "opportunity", .text(deal!.rawValue))
            try builder.set(item!, "product", .text("货架 A"))
            try builder.set(item!, "quantity", .integer(40))
            try builder.set(item!, "unitPrice", .money(Money(minor: 25_000, currency: "CNY")))
        }
        try await ana.sync()
        return (contact!, deal!, item!)
    }

    @Test func aVersionTwoFieldSurvivesEveryEditOfAVersionOneLaptop() async throws {
        let team = try await Team.start()
        defer { team.server.stop() }
        let (ana, carl, contact, deal, item) = (team.ana, team.carl, team.contact, team.deal, team.item)

        // Carl sees what version 1 has: no WeChat id, no line item, the new role as written (never a known one).
        let seen = try #require(try carl.store.record(contact)?.state)
        #expect(seen.fields["wechat"] == nil)
        #expect(seen.value("role") == .text("champion"))
        #expect(try carl.store.record(item) == nil)
        #expect(try carl.store.record(deal)?.state.fields["probability"] == nil)

        // Carl edits the contact and the deal offline while Ana changes the WeChat id; both sync.
        try carl.set(contact, "phone", .text("0577-8888"))
        try carl.set(contact, "role", .text("decisionMaker"))
        try carl.set(deal, "amount", .money(Money(minor: 1_200_000, currency: "CNY")))
        try carl.store.edit(summary: "note") { try $0.note(contact, "见面谈过") }
        try ana.set(contact, "wechat", .text("chenwei-2"))
        try await carl.sync()
        try await ana.sync()
        try await carl.sync()
        let server2 = try await team.server.store.dump().records()
        let stored = try #require(server2[contact]?.state)
        #expect(stored.value("wechat") == .text("chenwei-2"))
        #expect(stored.value("phone") == .text("0577-8888"))
        #expect(stored.value("role") == .text("decisionMaker"))
        #expect(server2[deal]?.state.value("probability") == .integer(90))
        #expect(server2[deal]?.state.value("amount") == .money(Money(minor: 1_200_000, currency: "CNY")))
        #expect(try ana.value(contact, "phone") == .text("0577-8888"))
        #expect(try ana.value(contact, "wechat") == .text("chenwei-2"))
        #expect(try carl.store.status().pending == 0 && carl.store.rejected().isEmpty)

        // History speaks version 1 too.
        let history = try await carl.transport.history(of: contact, token: carl.token)
        #expect(history.entries.allSatisfy { $0.field != "wechat" } && history.entries.contains { $0.field == "phone" })
        await #expect(throws: ClientError.self) { try await carl.transport.history(of: item, token: carl.token) }
        let fullHistory = try await ana.transport.history(of: contact, token: ana.token)
        #expect(fullHistory.entries.contains { $0.field == "wechat" })

        // Version 1 cannot write what it cannot see: refused on the laptop, and by the server if sent anyway.
        #expect(throws: ClientError.self) { try carl.set(contact, "wechat", .text("x")) }
        #expect(throws: ClientError.self) { try carl.set(contact, "role", .text("champion")) }
        let sneaky = try carl.upgraded()
        try sneaky.set(contact, "wechat", .text("x"))
        let (answer, _) = try await carl.transport.push(
            PushRequest(mutations: try sneaky.store.pendingBatch()), token: carl.token, schemaVersion: 1)
        #expect(answer.results.first?.status == .rejected && answer.results.first?.code == .unknownField)
    }

    @Test func aLaptopUpgradedInPlaceSendsItsOldEditsAsVersionOneAndPullsWhatItCouldNotSee() async throws {
        let team = try await Team.start()
        defer { team.server.stop() }
        let (ana, carl, contact, deal, item) = (team.ana, team.carl, team.contact, team.deal, team.item)
        try carl.set(contact, "phone", .text("0577-1"))
        try carl.set(deal, "stage", .text("presenting"))
        try carl.store.edit(summary: "note") { try $0.note(deal, "客户要求周五前报价") }

        // The new release opens the old files: the edits made under version 1 wait, tagged as such.
        let upgraded = try carl.upgraded()
        #expect(try upgraded.store.pendingPush().schemaVersion == 1)
        #expect(try upgraded.store.pendingPush().mutations.count == 3)
        try upgraded.set(contact, "title", .text("采购经理"))
        try await upgraded.sync()
        #expect(try upgraded.store.status().pending == 0)
        #expect(try upgraded.value(contact, "phone") == .text("0577-1"))
        #expect(try upgraded.value(contact, "title") == .text("采购经理"))
        // It pulled again what version 1 left out.
        #expect(try upgraded.value(contact, "wechat") == .text("chenwei-wz"))
        #expect(try upgraded.value(deal, "probability") == .integer(90))
        #expect(try upgraded.store.record(item)?.state.value("quantity") == .integer(40))
        try await ana.sync()
        #expect(try ana.dump() == upgraded.dump())
    }

    @Test func aLaptopOlderThanTheServersOldestVersionIsToldToUpgradeAndKeepsItsEdits() async throws {
        var server = try await LiveServer.start()
        defer { server.stop() }
        let carl = try await server.laptop("carl", schemaVersion: 1)
        let id = try carl.addCustomer("宁波明达")
        server = try await server.restarted(oldestSchemaVersion: 2)

        let refusal = await #expect(throws: ClientError.self) { try await carl.sync() }
        #expect(refusal?.code == .upgradeRequired)
        #expect(refusal?.message.contains("install the new FieldSync release") == true)
        #expect(try carl.store.status().pending == 1)

        // After the upgrade the edit made under version 1 goes out in version 2, which the server reads.
        let upgraded = try carl.upgraded()
        try await upgraded.sync()
        #expect(try upgraded.store.status().pending == 0)
        #expect(try await server.store.dump().records()[id]?.state.value("name") == .text("宁波明达"))

        // A laptop newer than the server is told the server needs the upgrade.
        var newer = upgraded.transport
        newer.schemaVersion = Schema.fieldSync.version + 1
        let tooNew = await #expect(throws: ClientError.self) {
            _ = try await newer.pull(cursor: "", limit: 10, token: upgraded.token)
        }
        #expect(tooNew?.code == .schemaTooNew)
    }
}
