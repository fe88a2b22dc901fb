import FieldSyncModel
import Foundation
import Testing

@testable import FieldSyncServer

/// Record merge on the server, on both backends: a manager folds a duplicate customer into the card kept, offline edits
/// to the duplicate land on the kept card with their bases' meaning, children move, and racing merges and deletes end
/// in one card with nothing lost.
@Suite struct RecordMergeTests {
    static func id(_ text: String) -> RecordID { RecordID(trusted: text) }

    /// ana's card c1 and carl's duplicate c2 (same phone, another class, an e-mail, a tag, a note, a contact and a deal).
    static func duplicates(_ client: Client) async throws -> (
        ana: Laptop, anaToken: String, carl: Laptop, carlToken: String
    ) {
        var (anaToken, ana) = try await client.laptop("ana")
        var (carlToken, carl) = try await client.laptop("carl")
        let c1 = ana.createCustomer("c1", territory: "east", name: "杭州明达机械有限公司")
        let c1Fields = ana.mutation([set("c1", "phone", .text("0571-8888")), set("c1", "class", .text("A"))])
        #expect(try await client.push(anaToken, [c1, c1Fields]).map(\.status) == [.applied, .applied])
        let c2 = carl.createCustomer("c2", territory: "east", name: "杭州明达机械")
        let c2Fields = carl.mutation([
            set("c2", "phone", .text("0571-8888")), set("c2", "class", .text("B")),
            set("c2", "email", .text("buy@mingda.cn")), .add(record: id("c2"), field: "tags", element: "展会"),
            .note(record: id("c2"), text: "展会上认识"),
            .create(record: id("k2"), entity: .contact), set("k2", "customer", .text("c2")),
            set("k2", "name", .text("王经理")),
            .create(record: id("o2"), entity: .opportunity), set("o2", "customer", .text("c2")),
            set("o2", "title", .text("五台锅炉")), set("o2", "stage", .text("presenting")),
        ])
        #expect(try await client.push(carlToken, [c2, c2Fields]).map(\.status) == [.applied, .applied])
        return (ana, anaToken, carl, carlToken)
    }

    @Test(arguments: Backend.allCases) func aMergeFoldsTheDuplicateIntoTheKeptCardAndOfflineEditsFollowIt(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var (_, _, carl, carlToken) = try await Self.duplicates(client)
            // carl, offline, changes the e-mail he saw on c2 and adds a contact under c2.
            let before = try await client.pullAll(carlToken).records
            let emailBase = try #require(before[Self.id("c2")]?.state.fields["email"]?.heads.first?.id)
            let offline = carl.mutation([
                set("c2", "email", .text("sales@mingda.cn"), bases: [emailBase]),
                .create(record: Self.id("k3"), entity: .contact), set("k3", "customer", .text("c2")),
                set("k3", "name", .text("李工")), .note(record: Self.id("c2"), text: "报价已发"),
            ])
            var (miaToken, mia) = try await client.laptop("mia")
            let merge = mia.mutation([.merge(record: Self.id("c2"), into: Self.id("c1"))])
            #expect(try await client.push(miaToken, [merge]).map(\.status) == [.applied])
            #expect(try await client.push(carlToken, [offline]).map(\.status) == [.applied])

            let records = try await client.pullAll(miaToken).records
            let kept = try #require(records[Self.id("c1")]?.state)
            let dup = try #require(records[Self.id("c2")]?.state)
            #expect(dup.redirect == Self.id("c1") && !dup.exists)
            #expect(kept.exists && kept.value("name") != .null)
            // Fields: class differs (a conflict listing both with their authors), the phone agrees, the e-mail only
            // c2 had is carried over and superseded by carl's offline edit that had seen it, and nothing else.
            let conflicts = kept.conflicts(of: Self.id("c1")).map(\.id)
            #expect(conflicts.sorted() == ["c1/class", "c1/name"])
            #expect(Set(kept.fields["class"]!.heads.map(\.author)) == ["ana", "carl"])
            #expect(kept.value("phone") == .text("0571-8888"))
            #expect(kept.fields["email"]?.heads.map(\.value) == [.text("sales@mingda.cn")])
            #expect(kept.value("territory") == .text("east"))
            #expect(kept.elements("tags") == ["展会"])
            #expect(kept.notes.map(\.text) == ["展会上认识", "报价已发"])
            // Children, old and new, belong to c1.
            for child in ["k2", "o2", "k3"] {
                #expect(records[Self.id(child)]?.state.value("customer") == .text("c1"), "\(child)")
            }
            // Both histories tell the merge.
            let dupHistory = try await client.send(.get, "/v1/records/c2/history", token: miaToken)
                .decode(HistoryResponse.self)
            #expect(dupHistory.entries.last?.op == "merge")
            let keptHistory = try await client.send(.get, "/v1/records/c1/history", token: miaToken)
                .decode(HistoryResponse.self)
            #expect(keptHistory.entries.contains { $0.op == "absorb" && $0.newValue == .text("c2") })
            #expect(keptHistory.entries.contains { $0.op == "set" && $0.field == "email" })
        }
    }

    @Test(arguments: Backend.allCases) func onlyManagersAndAdminsMergeAndARefusedMergeChangesNothing(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var (ana, anaToken, _, _) = try await Self.duplicates(client)
            let seq = try await server.changeSeq()
            let results = try await client.push(
                anaToken, [ana.mutation([.merge(record: Self.id("c2"), into: Self.id("c1"))])])
            #expect(results.map(\.status) == [.rejected])
            #expect(results[0].code == .forbidden)
            #expect(results[0].reason?.contains("ask your manager") == true)
            // bo (team south, territory west) sees neither card: unknown, as for any other write.
            var (boToken, bo) = try await client.laptop("bo")
            let foreign = try await client.push(
                boToken, [bo.mutation([.merge(record: Self.id("c2"), into: Self.id("c1"))])])
            #expect(foreign.map(\.status) == [.rejected])
            #expect(try await server.changeSeq() == seq)
        }
    }

    @Test(arguments: Backend.allCases) func racingMergesEndInOneCardWithNothingLost(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var (_, _, carl, carlToken) = try await Self.duplicates(client)
            #expect(
                try await client.push(carlToken, [carl.createCustomer("c3", territory: "east", name: "明达")]).map(
                    \.status) == [.applied])
            var (miaToken, mia) = try await client.laptop("mia")
            var (rootToken, root) = try await client.laptop("root")
            // mia merges c2 into c1 while root, not having seen it, merges c1 into c2 and then c2 into c3.
            let first = mia.mutation([.merge(record: Self.id("c2"), into: Self.id("c1"))])
            let reverse = root.mutation([.merge(record: Self.id("c1"), into: Self.id("c2"))])
            let third = root.mutation([.merge(record: Self.id("c2"), into: Self.id("c3"))])
            #expect(try await client.push(miaToken, [first]).map(\.status) == [.applied])
            #expect(try await client.push(rootToken, [reverse, third]).map(\.status) == [.applied, .applied])
            let records = try await client.pullAll(rootToken).records
            // c1 into c2 was already done the other way round; c2 into c3 follows c2 to c1: one card, c3.
            #expect(records[Self.id("c2")]?.state.redirect == Self.id("c1"))
            #expect(records[Self.id("c1")]?.state.redirect == Self.id("c3"))
            let survivor = try #require(records[Self.id("c3")]?.state)
            #expect(survivor.exists)
            #expect(survivor.notes.map(\.text) == ["展会上认识"])
            #expect(Set(survivor.fields["class"]?.heads.map(\.value) ?? []) == [.text("A"), .text("B")])
            #expect(records[Self.id("o2")]?.state.value("customer") == .text("c3"))
            #expect(records.values.filter { $0.state.entity == .customer && $0.state.exists }.count == 1)
        }
    }

    @Test(arguments: Backend.allCases) func aMergeRacingADeleteFollowsTheDeleteRule(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var (ana, anaToken, _, _) = try await Self.duplicates(client)
            var (miaToken, mia) = try await client.laptop("mia")
            // ana deletes c1 having seen what it held; mia merges c2 into it meanwhile: what c2 brought was not seen
            // by the delete, so c1 stays alive with a delete conflict listing it.
            let seen = try await client.pullAll(anaToken).records[Self.id("c1")]!.state.liveWriteIDs
            let delete = ana.mutation([.delete(record: Self.id("c1"), bases: seen)])
            #expect(
                try await client.push(miaToken, [mia.mutation([.merge(record: Self.id("c2"), into: Self.id("c1"))])])
                    .map(\.status) == [.applied])
            #expect(try await client.push(anaToken, [delete]).map(\.status) == [.applied])
            let kept = try #require(try await client.pullAll(miaToken).records[Self.id("c1")]?.state)
            #expect(kept.exists)
            #expect(kept.conflicts(of: Self.id("c1")).contains { $0.kind == .delete })
            // A deleted duplicate has nothing left to merge: refused with who deleted it.
            #expect(
                try await client.push(anaToken, [ana.createCustomer("c4", territory: "east", name: "重复")]).map(\.status)
                    == [.applied])
            let c4 = try await client.pullAll(anaToken).records[Self.id("c4")]!.state.liveWriteIDs
            #expect(
                try await client.push(anaToken, [ana.mutation([.delete(record: Self.id("c4"), bases: c4)])]).map(
                    \.status) == [.applied])
            let refused = try await client.push(
                miaToken, [mia.mutation([.merge(record: Self.id("c4"), into: Self.id("c1"))])])
            #expect(refused.map(\.status) == [.rejected])
            #expect(refused[0].reason?.contains("deleted by ana") == true)
        }
    }
}
