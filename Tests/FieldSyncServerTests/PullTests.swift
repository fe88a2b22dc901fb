import FieldSyncModel
import Foundation
import Testing

@testable import FieldSyncServer

@Suite struct PullTests {
    @Test(arguments: Backend.allCases) func pagesNeverSkipAChangeEvenWhilePushesContinue(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            let carl = try await client.login("carl")
            var anaLaptop = Laptop("lap-ana", wall: client.clock)
            var carlLaptop = Laptop("lap-carl", wall: client.clock)
            _ = try await client.push(ana, (0..<120).map { anaLaptop.createCustomer("c\($0)", territory: "east") })
            var seen: [RecordID: Int64] = [:]
            var cursor = ""
            var round = 0
            while true {
                let page = try await client.pull(carl, cursor: cursor, limit: 7)
                #expect(page.records.count <= 7)
                for record in page.records { seen[record.id] = record.version }
                cursor = page.cursor
                if round < 10 {  // pushes land between pages: new records and edits of records already delivered
                    _ = try await client.push(
                        carl,
                        [
                            carlLaptop.createCustomer("n\(round)", territory: "east"),
                            carlLaptop.mutation([set("c\(round)", "phone", .text("0571-\(round)"))]),
                        ])
                }
                round += 1
                if !page.more && round > 10 { break }
            }
            #expect(seen.count == 130)
            let latest = try await client.pullAll(carl)
            for (id, record) in latest.records {
                #expect(seen[id] == record.version, "\(id) missed its latest version")
            }
        }
    }

    @Test(arguments: Backend.allCases) func aFreshLaptopBootstrapsFromCurrentStateNotHistory(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let create = laptop.createCustomer("c1", territory: "east")
            var previous = create.writeID(1)
            var edits: [Mutation] = []
            for index in 0..<20 {
                let edit = laptop.mutation([set("c1", "name", .text("name \(index)"), bases: [previous])])
                previous = edit.writeID(0)
                edits.append(edit)
            }
            _ = try await client.push(ana, [create] + edits)
            let page = try await client.pull(ana)
            #expect(page.records.count == 1 && page.reset && !page.more)
            #expect(page.records[0].state.value("name") == .text("name 19"))
            #expect(page.records[0].state.fields["name"]?.heads.count == 1)
        }
    }

    @Test(arguments: Backend.allCases) func aRecordMovingOutOfViewComesAsARemovalAndMovingInComesWhole(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            let bo = try await client.login("bo")
            let root = try await client.login("root")
            var anaLaptop = Laptop("lap-ana", wall: client.clock)
            var rootLaptop = Laptop("lap-root", wall: client.clock)
            let create = anaLaptop.createCustomer("c1", territory: "east")
            let contact = anaLaptop.mutation([
                .create(record: RecordID(trusted: "p1"), entity: .contact), set("p1", "customer", .text("c1")),
                set("p1", "name", .text("王经理")),
            ])
            _ = try await client.push(ana, [create, contact])
            let anaCursor = try await client.pullAll(ana).cursor
            let boCursor = try await client.pullAll(bo).cursor
            let move = rootLaptop.mutation([set("c1", "territory", .text("west"), bases: [create.writeID(2)])])
            #expect(try await client.push(root, [move])[0].status == .applied)

            let anaView = try await client.pullAll(ana, cursor: anaCursor)
            #expect(anaView.removed == [RecordID(trusted: "c1"), RecordID(trusted: "p1")])
            let boView = try await client.pullAll(bo, cursor: boCursor)
            #expect(Set(boView.records.keys) == [RecordID(trusted: "c1"), RecordID(trusted: "p1")])
            #expect(boView.records[RecordID(trusted: "p1")]?.state.value("name") == .text("王经理"))

            // Ana's offline edit made before the move is refused with the reason, not applied silently.
            let late = anaLaptop.mutation([set("c1", "phone", .text("0571-9"))])
            let result = try await client.push(ana, [late])[0]
            #expect(result.status == .rejected && result.code == .forbidden)
            #expect(result.reason?.contains("moved to territory west") == true)
        }
    }

    @Test(arguments: Backend.allCases) func aTerritoryAddedBringsItsRecordsAndOneTakenAwayOnlyRemovals(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let bo = try await client.login("bo")
            let ana = try await client.login("ana")
            var boLaptop = Laptop("lap-bo", wall: client.clock)
            var anaLaptop = Laptop("lap-ana", wall: client.clock)
            let gone = boLaptop.createCustomer("w0", territory: "west")
            _ = try await client.push(bo, [gone] + (1...3).map { boLaptop.createCustomer("w\($0)", territory: "west") })
            _ = try await client.push(
                bo,
                [
                    boLaptop.mutation([
                        .delete(record: RecordID(trusted: "w0"), bases: [gone.writeID(1), gone.writeID(2)])
                    ])
                ])
            let east = (1...4).map { anaLaptop.createCustomer("e\($0)", territory: "east") }
            _ = try await client.push(ana, east)
            let before = try await client.pullAll(ana)
            #expect(Set(before.records.keys) == Set((1...4).map { RecordID(trusted: "e\($0)") }))

            // West added: its live records come, east's do not come again; an east edit made meanwhile does.
            try await server.store.setTerritories(of: "ana", to: ["east", "west"])
            _ = try await client.push(ana, [anaLaptop.mutation([set("e1", "phone", .text("0571-1"))])])
            var cursor = before.cursor
            var received: [RecordID] = []
            while true {
                let page = try await client.pull(ana, cursor: cursor, limit: 2)
                #expect(!page.reset && page.removed.isEmpty)
                received += page.records.map(\.id)
                cursor = page.cursor
                if !page.more { break }
            }
            #expect(received.sorted() == ["e1", "w1", "w2", "w3"].map { RecordID(trusted: $0) })

            // East taken away: removals for its records, no record sent; a fresh laptop then shows the same view.
            try await server.store.setTerritories(of: "ana", to: ["west"])
            let after = try await client.pullAll(ana, cursor: cursor, limit: 3)
            #expect(after.records.isEmpty)
            #expect(after.removed == Set((1...4).map { RecordID(trusted: "e\($0)") }))
            let fresh = try await client.pullAll(ana)
            #expect(Set(fresh.records.keys) == Set(["w1", "w2", "w3"].map { RecordID(trusted: $0) }))
            let next = try await client.pull(ana, cursor: after.cursor)
            #expect(!next.reset && next.records.isEmpty && next.removed.isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func aDeleteComesAsARemoval(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let create = laptop.createCustomer("c1", territory: "east")
            _ = try await client.push(ana, [create])
            let cursor = try await client.pullAll(ana).cursor
            let delete = laptop.mutation([
                .delete(record: RecordID(trusted: "c1"), bases: (1...2).map { create.writeID($0) })
            ])
            #expect(try await client.push(ana, [delete])[0].status == .applied)
            #expect(try await client.pullAll(ana, cursor: cursor).removed == [RecordID(trusted: "c1")])
            #expect(try await client.pull(ana).records.isEmpty, "a fresh laptop does not download tombstones")
        }
    }
}
