import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import TestSupport
import Testing

/// Version 2 renamed `opportunity.competitor` to `mainCompetitor`: laptops on either version, and data stored by the
/// first release, all name one field; `fieldsync-server migrate` rewrites the stored data while laptops sync.
@Suite struct RenamedFieldTests {
    static let old = #""competitor":"#
    static let new = #""mainCompetitor":"#

    /// A customer and `count` deals written by `ana` (version 2) with their main competitor set, synced.
    static func deals(_ ana: TestLaptop, count: Int) async throws -> [RecordID] {
        let customer = try ana.addCustomer("温州陈氏五金")
        var deals: [RecordID] = []
        try ana.store.edit(summary: "deals") { builder in
            for index in 0..<count {
                let deal = try builder.create(.opportunity)
                try builder.set(deal, "customer", .text(customer.rawValue))
                try builder.set(deal, "title", .text("货架 \(index)"))
                try builder.set(deal, "mainCompetitor", .text("华东货架厂"))
                deals.append(deal)
            }
        }
        try await ana.sync()
        return deals
    }

    /// A server whose database holds `count` deals as the first release stored them (each one's competitor under the
    /// old name), and the laptop of Ana, who wrote them.
    static func firstReleaseServer(deals count: Int, postgres: Bool) async throws -> (
        LiveServer, TestLaptop, [RecordID]
    ) {
        let server = try await LiveServer.start(postgres: postgres ? try PostgresFixture.freshDatabase() : nil)
        let ana = try await server.laptop("ana")
        let deals = try await deals(ana, count: count)
        let restarted = try await server.restarted { store in
            try await store.load(try await store.dump().storedByTheFirstRelease(), replacing: true)
        }
        return (restarted, ana, deals)
    }

    @Test func aRenamedFieldIsOneFieldUnderEitherName() async throws {
        let server = try await LiveServer.start()
        defer { server.stop() }
        let ana = try await server.laptop("ana")
        let carl = try await server.laptop("carl", schemaVersion: 1)
        let deal = try #require(try await Self.deals(ana, count: 1).first)
        try await carl.sync()

        // Carl (version 1) is sent the field under the old name, and edits it as the old release did.
        let seen = try #require(try carl.store.record(deal)?.state)
        #expect(seen.value("competitor") == .text("华东货架厂"))
        try carl.set(deal, "competitor", .text("金鹰"))
        #expect(try carl.store.pendingBatch().flatMap(\.writes).compactMap(\.field) == ["competitor"])
        try await carl.sync()
        try await ana.sync()
        // His write superseded Ana's (its base was recorded under the new name): one value, no conflict.
        let stored = try #require(try await server.store.dump().records()[deal]?.state)
        #expect(stored.fields.keys.sorted() == ["customer", "mainCompetitor", "title"])
        #expect(stored.value("mainCompetitor") == .text("金鹰") && stored.conflicts(of: deal).isEmpty)
        #expect(try ana.value(deal, "mainCompetitor") == .text("金鹰") && ana.store.conflicts().isEmpty)

        // Concurrent edits under the two names are a conflict on one field, named as each laptop's version names it.
        try ana.set(deal, "mainCompetitor", .text("宏达"))
        try carl.set(deal, "competitor", .text("永兴"))
        try await ana.sync()
        try await carl.sync()
        try await ana.sync()
        #expect(try ana.store.conflicts().map(\.field) == ["mainCompetitor"])
        #expect(try carl.store.conflicts().map(\.field) == ["competitor"])
        // Carl settles it under his name; both heads were his bases.
        try carl.set(deal, "competitor", .text("宏达"))
        try await carl.sync()
        try await ana.sync()
        #expect(try ana.store.conflicts().isEmpty && carl.store.conflicts().isEmpty)
        #expect(try ana.value(deal, "mainCompetitor") == .text("宏达"))

        // History is told in each version's names.
        let carlsHistory = try await carl.transport.history(of: deal, token: carl.token).entries.compactMap(\.field)
        let anasHistory = try await ana.transport.history(of: deal, token: ana.token).entries.compactMap(\.field)
        #expect(carlsHistory.contains("competitor") && !carlsHistory.contains("mainCompetitor"))
        #expect(anasHistory.contains("mainCompetitor") && !anasHistory.contains("competitor"))

        // The newest release still takes the old name as an alias, and stores the new one.
        try ana.set(deal, "competitor", .text("华东货架厂"))
        try await ana.sync()
        let after = try #require(try await server.store.dump().records()[deal]?.state)
        #expect(after.fields["mainCompetitor"]?.heads.map(\.value) == [.text("华东货架厂")])
        #expect(try await server.store.dump().records().values.allSatisfy { $0.state.fields["competitor"] == nil })
    }

    @Test func migrateRewritesAFirstReleaseDatabaseOnSQLiteWhileLaptopsSync() async throws {
        let (server, ana, deals) = try await Self.firstReleaseServer(deals: 60, postgres: false)
        defer { server.stop() }
        #expect(try await Self.oldNames(in: server.store) == (records: 60, history: 60))

        // The new server reads the old names as the new one: a fresh laptop, and edits whose bases were recorded
        // under the old name, from both versions.
        let fresh = try await server.laptop("ana")
        try await fresh.sync()
        #expect(try deals.allSatisfy { try fresh.value($0, "mainCompetitor") == .text("华东货架厂") })
        let carl = try await server.laptop("carl", schemaVersion: 1)
        try await carl.sync()
        #expect(try carl.store.record(deals[1])?.state.value("competitor") == .text("华东货架厂"))
        // Both edit one deal offline: Carl's base is by then superseded, so the server checks it against the history
        // recorded under the old name; it is a base all the same, and the edits are a conflict, not a refusal.
        try ana.set(deals[0], "mainCompetitor", .text("金鹰"))
        try carl.set(deals[0], "competitor", .text("永兴"))
        try carl.set(deals[1], "competitor", .text("宏达"))
        try await ana.sync()
        try await carl.sync()
        try await ana.sync()
        #expect(try ana.store.rejected().isEmpty && carl.store.rejected().isEmpty)
        #expect(try ana.store.conflicts().map(\.field) == ["mainCompetitor"])
        #expect(try carl.store.conflicts().map(\.field) == ["competitor"])

        // `fieldsync-server migrate`, with the server still serving and Ana pushing edits to the deals meanwhile.
        let pushes = Task {
            for round in 0..<8 {
                try ana.set(deals[(round * 7) % deals.count], "title", .text("货架 第\(round)轮"))
                try await ana.sync()
            }
        }
        let migrated = try await Self.run(["migrate", "--db", server.databasePath, "--batch-size", "7"])
        try await pushes.value
        #expect(migrated.status == 0, "\(migrated.error)")
        #expect(migrated.output.contains("is up to date: schema version 2"), "\(migrated.output)")
        #expect(try await Self.oldNames(in: server.store) == (records: 0, history: 0))

        // Nothing changed but the names: every laptop converges on the same records, and a second run does nothing.
        for laptop in [ana, fresh, carl] { try await laptop.sync() }
        try await fresh.sync()
        #expect(try ana.dump() == fresh.dump())
        #expect(try fresh.value(deals[1], "mainCompetitor") == .text("宏达"))
        let again = try await Self.run(["migrate", "--db", server.databasePath])
        #expect(again.output.contains("0 rewritten, 0 history rows renamed"), "\(again.output)")
    }

    @Test func migrateOnPostgreSQLStoppedMidwayFinishesWhenRunAgain() async throws {
        let (server, ana, deals) = try await Self.firstReleaseServer(deals: 40, postgres: true)
        defer { server.stop() }
        #expect(try await Self.oldNames(in: server.store) == (records: 40, history: 40))

        // A run stopped after its first batch (as a killed process would be) leaves old and new names side by side,
        // and the server reads both.
        let store = server.store
        let stopped = Task {
            try await store.upgradeStoredData(StoredDataUpgrade(), batchSize: 5) { progress in
                if progress.scanned >= 5 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        _ = await stopped.result
        let halfway = try await Self.oldNames(in: server.store)
        #expect(halfway.records > 0 && halfway.records < 40, "\(halfway)")
        let fresh = try await server.laptop("ana")
        try await fresh.sync()
        #expect(try deals.allSatisfy { try fresh.value($0, "mainCompetitor") == .text("华东货架厂") })

        // Run again while Ana pushes: it finishes, and the pushes are all there.
        let pushes = Task {
            for round in 0..<6 {
                try ana.set(deals[round * 6], "mainCompetitor", .text("对手 \(round)"))
                try await ana.sync()
            }
        }
        let report = try await server.store.upgradeStoredData(StoredDataUpgrade(), batchSize: 5) { _ in }
        try await pushes.value
        #expect(report.scanned == 40 && report.historyRows > 0)
        #expect(try await Self.oldNames(in: server.store) == (records: 0, history: 0))
        try await fresh.sync()
        #expect(try fresh.value(deals[30], "mainCompetitor") == .text("对手 5"))
        #expect(try ana.dump() == fresh.dump())
    }

    /// `migrate` reads a batch, then replaces it: a state a push changed in between is left as the push wrote it
    /// (under the new name already), on either backend.
    @Test(arguments: [false, true]) func aStateAPushChangedAfterMigrateReadItIsLeftAsThePushWroteIt(
        postgres: Bool
    ) async throws {
        let (server, ana, deals) = try await Self.firstReleaseServer(deals: 3, postgres: postgres)
        defer { server.stop() }
        let read = try await server.store.storedStates(of: ["opportunity"], after: "", limit: 10)
        #expect(read.count == 3 && read.allSatisfy { String(decoding: $0.state, as: UTF8.self).contains(Self.old) })
        try ana.set(deals[1], "title", .text("货架 改"))
        try await ana.sync()
        var batch = StoredDataBatch()
        batch.rewrites = try read.map { row in
            (row.id, row.state, try JSONDecoder().decode(RecordState.self, from: Data(row.state)).compactJSON())
        }
        #expect(try await server.store.upgrade(batch).replaced == 2)
        let stored = try await server.store.dump().records()
        #expect(stored[deals[1]]?.state.value("title") == .text("货架 改"))
        #expect(try await Self.oldNames(in: server.store).records == 0)
    }

    /// Runs `fieldsync-server` with `arguments` on a thread of its own (the test's tasks keep syncing meanwhile).
    static func run(_ arguments: [String]) async throws -> BinaryRunner.Outcome {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try BinaryRunner.run("fieldsync-server", arguments) })
            }
        }
    }

    /// How many stored states and history rows still hold the old name.
    static func oldNames(in store: any SyncStore) async throws -> (records: Int, history: Int) {
        let dump = try await store.dump()
        let records = dump.column("records", "state").filter { cell in
            guard case .bytes(let json) = cell else { return false }
            return String(decoding: json, as: UTF8.self).contains(old)
        }
        let history = dump.column("history", "field").filter { $0 == .text("competitor") }
        return (records.count, history.count)
    }
}

extension StoreDump {
    /// The cells of `column` in `table`.
    func column(_ table: String, _ column: String) -> [Cell] {
        let index = Self.tables.first { $0.name == table }!.columns.firstIndex { $0.name == column }!
        return (tables[table] ?? []).map { $0[index] }
    }

    /// This deployment as the first release stored it: the renamed field under its old name in record states and in
    /// the history.
    func storedByTheFirstRelease() -> StoreDump {
        var dump = self
        for (table, column) in [("records", "state"), ("history", "field")] {
            let index = Self.tables.first { $0.name == table }!.columns.firstIndex { $0.name == column }!
            dump.tables[table] = tables[table]?.map { row in
                var row = row
                switch row[index] {
                case .bytes(let json):
                    let text = String(decoding: json, as: UTF8.self)
                    row[index] = .bytes(
                        Array(text.replacingOccurrences(of: RenamedFieldTests.new, with: RenamedFieldTests.old).utf8))
                case .text("mainCompetitor"): row[index] = .text("competitor")
                default: break
                }
                return row
            }
        }
        return dump
    }
}
