import FieldSyncModel
import Foundation
import TestSupport
import Testing

@testable import FieldSyncServer

/// `fieldsync-server copy` moves a deployment between SQLite and PostgreSQL without laptops noticing.
@Suite struct CopyTests {
    @Test func aDeploymentMovesToPostgresAndBackAndLaptopsKeepSyncingWithoutAReset() async throws {
        let server = try await TestServer.make(.sqlite)
        let sqlitePath = server.directory.appendingPathComponent("server.sqlite").path
        let postgresURL = try PostgresFixture.freshDatabase()
        let backPath = server.directory.appendingPathComponent("back.sqlite").path
        nonisolated(unsafe) var carried: (token: String, cursor: String, seq: Int64)?

        try await server.run(keepFiles: true) { client in
            let ana = try await client.login("ana")
            let carl = try await client.login("carl")
            let root = try await client.login("root")
            var anaLaptop = Laptop("lap-ana", wall: client.clock)
            var carlLaptop = Laptop("lap-carl", wall: client.clock)
            var rootLaptop = Laptop("lap-root", wall: client.clock)
            let customers = [
                anaLaptop.createCustomer("c1", territory: "east"), anaLaptop.createCustomer("c2", territory: "east"),
            ]
            let create = anaLaptop.mutation([
                .create(record: RecordID(trusted: "o1"), entity: .opportunity), set("o1", "customer", .text("c1")),
                set("o1", "title", .text("Boilers")), set("o1", "stage", .text("presenting")),
            ])
            _ = try await client.push(ana, customers + [create])
            let base = create.writeID(3)
            client.clock.advance(ms: 10)
            _ = try await client.push(ana, [anaLaptop.mutation([set("o1", "stage", .text("won"), bases: [base])])])
            _ = try await client.push(carl, [carlLaptop.mutation([set("o1", "stage", .text("lost"), bases: [base])])])
            _ = try await client.push(
                root, [rootLaptop.mutation([set("c2", "territory", .text("west"), bases: [customers[1].writeID(2)])])])
            let refused = try await client.push(carl, [carlLaptop.mutation([set("nope", "name", .text("x"))])])
            #expect(refused[0].status == .rejected)
            let pulled = try await client.pullAll(carl)
            carried = (carl, pulled.cursor, try await server.changeSeq())
        }
        let (token, cursor, seq) = try #require(carried)

        let there = try BinaryRunner.run("fieldsync-server", ["copy", "--from", sqlitePath, "--to", postgresURL])
        #expect(there.status == 0, "\(there.output)\(there.error)")
        #expect(there.output.contains("records 3") && there.output.contains("users 5"), "\(there.output)")
        let source = try await SQLiteStore(path: sqlitePath)
        let postgres = try await PostgresStore(url: postgresURL)
        let original = try await source.dump()
        #expect(try await postgres.dump() == original)
        let conflicted = try await source.stats().recordsInConflict
        #expect(try await postgres.stats().recordsInConflict == conflicted)
        #expect(conflicted == 1)

        // Copying again into a database that holds a deployment is refused and changes nothing.
        let again = try BinaryRunner.run("fieldsync-server", ["copy", "--from", sqlitePath, "--to", postgresURL])
        #expect(again.status != 0 && again.error.contains("new, empty database"), "\(again.error)")
        #expect(try await postgres.dump() == original)

        // The same laptop, token and cursor, now on PostgreSQL: no reset, only what is new.
        let onPostgres = TestServer(
            store: postgres, configuration: server.configuration, clock: server.clock, directory: server.directory)
        try await onPostgres.run(keepFiles: true) { client in
            var carlLaptop = Laptop("lap-carl", wall: client.clock)
            carlLaptop.nextSeq = 3
            let results = try await client.push(
                token, [carlLaptop.mutation([set("c1", "phone", .text("0571-1"))])])
            #expect(results[0].status == .applied)
            let page = try await client.pull(token, cursor: cursor)
            #expect(!page.reset)
            #expect(page.records.map(\.id) == [RecordID(trusted: "c1")])
            #expect(page.records.first?.version == seq + 1)
        }

        let back = try BinaryRunner.run("fieldsync-server", ["copy", "--from", postgresURL, "--to", backPath])
        #expect(back.status == 0, "\(back.output)\(back.error)")
        let reopened = try await PostgresStore(url: postgresURL)
        let returned = try await SQLiteStore(path: backPath)
        #expect(try await returned.dump() == (try await reopened.dump()))
        #expect(try await returned.stats().changeSeq == seq + 1)
        await reopened.close()
        try? FileManager.default.removeItem(at: server.directory)
    }
}
