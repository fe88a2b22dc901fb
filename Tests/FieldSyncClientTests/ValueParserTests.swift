import FieldSyncClient
import FieldSyncModel
import Foundation
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

    /// A rep in Shanghai on Wednesday 2026-12-09 at 18:00 local (10:00 UTC).
    @Test func timesAreReadAndShownInTheLaptopsZone() throws {
        let shanghai = LocalTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let now = try #require(ISO8601DateFormatter().date(from: "2026-12-09T10:00:00Z"))
        func read(_ text: String) throws -> String { try shanghai.dateTime(text, label: "at", now: now) }
        #expect(try read("2026-12-02 09:00") == "2026-12-02T01:00:00Z")
        #expect(try read("2026-12-02T09:00") == "2026-12-02T01:00:00Z")
        #expect(try read("2026-12-02T09:00:00+08:00") == "2026-12-02T01:00:00Z")
        #expect(try read("2026-12-02T09:00:00-05:00") == "2026-12-02T14:00:00Z")
        #expect(try read("2026-12-02T01:00:00Z") == "2026-12-02T01:00:00Z")
        #expect(try read("tomorrow 09:30") == "2026-12-10T01:30:00Z")
        #expect(try read("today 07:30") == "2026-12-08T23:30:00Z")
        #expect(try read("Mon 14:00") == "2026-12-14T06:00:00Z")
        #expect(try read("wednesday 08:00") == "2026-12-09T00:00:00Z", "a weekday names the next one, today included")
        #expect(shanghai.date("fri", now: now) == "2026-12-11" && shanghai.date("today", now: now) == "2026-12-09")
        #expect(shanghai.date("2026-12-11", now: now) == nil)
        let noTime = #expect(throws: ClientError.self) { try read("tomorrow") }
        #expect(noTime?.message.contains("'tomorrow 09:30'") == true)
        #expect(throws: ClientError.self) { try read("next tuesday-ish") }

        // Local days and weeks (Monday first) as UTC bounds; times shown back in the zone, which is named.
        #expect(shanghai.today(now) == ("2026-12-08T16:00:00Z", "2026-12-09T16:00:00Z"))
        #expect(shanghai.thisWeek(now) == ("2026-12-06T16:00:00Z", "2026-12-13T16:00:00Z"))
        #expect(shanghai.text(utc: "2026-12-02T01:00:00Z") == "2026-12-02 09:00")
        #expect(shanghai.text(utc: "not a time") == "not a time")
        #expect(LocalTime.utc.text(utc: "2026-12-02T01:00:00Z") == "2026-12-02 01:00")
        #expect(shanghai.label(at: now) == "Asia/Shanghai, UTC+08:00" && LocalTime.utc.label(at: now) == "UTC")
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
