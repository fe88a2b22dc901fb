import FieldSyncClient
import FieldSyncModel
import GRDB
import Testing

/// What a rep types, read in the client library; the store is an in-memory database.
@Suite struct ValueParserTests {
    @Test(arguments: [
        ("12999.50 CNY", Money(minor: 1_299_950, currency: "CNY")),
        ("CNY 12999.5", Money(minor: 1_299_950, currency: "CNY")),
        ("12,999 eur", Money(minor: 1_299_900, currency: "EUR")),
    ])
    func moneyIsReadInMinorUnits(_ text: String, _ expected: Money) throws {
        #expect(try Money.parse(text, label: "amount") == expected)
    }

    @Test(arguments: ["12.999 CNY", "-5 CNY", "12999.50", "92233720368547759.00 CNY"])
    func malformedMoneyIsRefusedWithItsCode(_ text: String) {
        let error = #expect(throws: ModelError.self) { try Money.parse(text, label: "amount") }
        #expect(error?.code == .invalidMoney)
    }

    @Test func datesPassThroughInUTCAndNonsenseIsRefused() throws {
        #expect(try ValueParser.dateTime("2026-11-25T06:30:00Z", label: "at") == "2026-11-25T06:30:00Z")
        #expect(throws: ClientError.self) { try ValueParser.dateTime("next tuesday-ish", label: "at") }
    }

    @Test func referencesResolveInAStoreOnAnInMemoryDatabase() throws {
        let store = try LocalStore(DatabaseQueue())
        var id = RecordID(trusted: "cus-0")
        try store.edit(summary: "add customer") { builder in
            id = try builder.create(.customer)
            try builder.set(id, "name", .text("杭州明达机械有限公司"))
            try builder.set(id, "territory", .text("east"))
        }
        let parser = ValueParser(store: store)
        let field = try store.schema.field("customer", of: .opportunity)
        #expect(try parser.parse("杭州明达机械有限公司", for: field, of: .opportunity) == .text(id.rawValue))
    }
}
