import FieldSyncModel
import Foundation
import Testing

@testable import FieldSyncServer

/// The server's side of the merge rules: which bases a write may name, what may hang under a deleted customer, and
/// what a stored record holds.
@Suite struct MergeRuleTests {
    @Test(arguments: Backend.allCases) func aBaseMustBeAWriteOfTheSameRecordFieldAndTag(_ backend: Backend) async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            let bo = try await client.login("bo")
            var anaLaptop = Laptop("lap-ana", wall: client.clock)
            var boLaptop = Laptop("lap-bo", wall: client.clock)
            let c1 = RecordID(trusted: "c1")
            let customers = [
                anaLaptop.createCustomer("c1", territory: "east"), anaLaptop.createCustomer("c2", territory: "east"),
            ]
            let tagged = anaLaptop.mutation([.add(record: c1, field: "tags", element: "vip")])
            let west = boLaptop.createCustomer("w1", territory: "west")
            _ = try await client.push(ana, customers + [tagged])
            _ = try await client.push(bo, [west])
            let vip = tagged.writeID(0)
            let refused = [
                anaLaptop.mutation([.remove(record: c1, field: "tags", element: "key", bases: [vip])]),
                anaLaptop.mutation([
                    .remove(record: RecordID(trusted: "c2"), field: "tags", element: "vip", bases: [vip])
                ]),
                anaLaptop.mutation([set("c1", "phone", .text("0571-1"), bases: [customers[0].writeID(1)])]),
                anaLaptop.mutation([set("c1", "name", .text("x"), bases: [west.writeID(1)])]),
                anaLaptop.mutation([
                    set(
                        "c1", "name", .text("x"),
                        bases: [WriteID(replica: ReplicaID(trusted: "lap-bo"), seq: 9, index: 0)])
                ]),
            ]
            let results = try await client.push(ana, refused)
            #expect(results.map(\.status) == Array(repeating: .rejected, count: refused.count))
            #expect(results.allSatisfy { $0.code == .unknownBase })
            // A write in another territory is answered exactly like one that never existed.
            #expect(
                results[3].reason?.replacingOccurrences(of: west.writeID(1).description, with: "ID")
                    == results[4].reason?.replacingOccurrences(of: "lap-bo:9:0", with: "ID"))
            let honest = anaLaptop.mutation([.remove(record: c1, field: "tags", element: "vip", bases: [vip])])
            #expect(try await client.push(ana, [honest]).map(\.status) == [.applied])
        }
    }

    @Test(arguments: Backend.allCases) func nothingCanBeAddedUnderADeletedCustomer(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let customer = laptop.createCustomer("c1", territory: "east")
            let delete = laptop.mutation([
                .delete(record: RecordID(trusted: "c1"), bases: [customer.writeID(1), customer.writeID(2)])
            ])
            let visit = laptop.mutation([
                .create(record: RecordID(trusted: "v1"), entity: .visit), set("v1", "customer", .text("c1")),
                set("v1", "plannedAt", .text("2026-12-03T02:00:00Z")),
            ])
            let results = try await client.push(ana, [customer, delete, visit])
            #expect(results.map(\.status) == [.applied, .applied, .rejected])
            #expect(results[2].code == .missingReference)
            #expect(results[2].reason?.contains("deleted by ana") == true)
            #expect(try await client.pullAll(ana).records.isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func aStoredRecordHoldsItsLiveWritesOnly(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let c1 = RecordID(trusted: "c1")
            let customer = laptop.createCustomer("c1", territory: "east")
            var mutations = [customer]
            var base = customer.writeID(1)
            for index in 0..<20 {
                let edit = laptop.mutation([set("c1", "name", .text("客户 \(index)"), bases: [base])])
                base = edit.writeID(0)
                mutations.append(edit)
            }
            let add = laptop.mutation([.add(record: c1, field: "tags", element: "vip")])
            mutations.append(add)
            mutations.append(
                laptop.mutation([.remove(record: c1, field: "tags", element: "vip", bases: [add.writeID(0)])]))
            let delete = laptop.mutation([.delete(record: c1, bases: [base, customer.writeID(2)])])
            mutations.append(delete)
            _ = try await client.push(ana, mutations)
            #expect(
                try await client.push(ana, [laptop.mutation([.restore(record: c1, bases: [delete.writeID(0)])])])
                    .map(\.status) == [.applied])
            let page = try await client.send(.get, "/v1/pull?cursor=&limit=10", token: ana).text
            for key in ["\"x\":", "\"y\":", "\"r\":"] {
                #expect(!page.contains(key), "the page holds superseded ids (\(key)): \(page)")
            }
            let state = try #require(try await client.pullAll(ana).records[c1]?.state)
            #expect(state.fields["name"]?.heads.map(\.id) == [base])
            #expect(state.exists && state.keeps.count == 1 && state.deletes.isEmpty)
        }
    }
}
