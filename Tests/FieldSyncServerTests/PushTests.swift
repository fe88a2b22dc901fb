import FieldSyncModel
import Foundation
import Testing

@testable import FieldSyncServer

@Suite struct PushTests {
    @Test(arguments: Backend.allCases) func aMutationPushedTwiceAppliesOnce(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let create = laptop.createCustomer("c1", territory: "east")
            #expect(try await client.push(token, [create]).map(\.status) == [.applied])
            let seq = try await server.changeSeq()
            #expect(try await client.push(token, [create]).map(\.status) == [.duplicate])
            #expect(try await client.push(token, [create, create]).map(\.status) == [.duplicate, .duplicate])
            #expect(try await server.changeSeq() == seq)
        }
    }

    @Test(arguments: Backend.allCases) func aGapInSeqAsksForAResendAndWritesNothing(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            _ = laptop.createCustomer("c0", territory: "east")  // seq 1 is "lost"
            let results = try await client.push(token, [laptop.createCustomer("c1", territory: "east")])
            #expect(
                results == [
                    MutationResult(
                        seq: 2, status: .retry, code: .seqGap,
                        reason: "The server has this replica's mutations up to 0: push again from seq 1.")
                ])
            #expect(try await server.changeSeq() == 0)
        }
    }

    @Test(arguments: Backend.allCases) func aRefusedMutationDoesNotBlockLaterOnesButItsDependentsAreRefused(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let good = laptop.createCustomer("c1", territory: "east")
            let bad = laptop.mutation([set("c1", "class", .text("Z"))])
            let dependent = laptop.mutation([set("c1", "class", .text("A"), bases: [bad.writeID(0)])])
            let independent = laptop.mutation([set("c1", "phone", .text("0571-1"))])
            let results = try await client.push(token, [good, bad, dependent, independent])
            #expect(results.map(\.status) == [.applied, .rejected, .rejected, .applied])
            #expect(results[1].code == .valueNotAllowed)
            #expect(results[1].reason?.contains("A, B, C, D") == true)
            #expect(results[2].code == .unknownBase)
            // Pushed again, a refusal gives the same answer.
            #expect(try await client.push(token, [bad])[0] == results[1])
        }
    }

    @Test(arguments: Backend.allCases) func writesStampedTooFarInTheFutureAreRefusedAndTheClockDoesNotJump(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let future = laptop.createCustomer("c1", territory: "east")
            var skewed = Laptop("lap-ana", wall: client.clock)
            let farAhead = skewed.mutation(future.writes, skewMs: 10 * 60 * 1000)
            let reply = try await client.send(
                .post, "/v1/push", token: token, json: PushRequest(mutations: [farAhead]),
                clockMs: client.clock.now + 600_000)
            let response = try reply.decode(PushResponse.self)
            #expect(response.results[0].status == .rejected)
            #expect(response.results[0].code == .clockSkew)
            #expect(response.results[0].reason?.contains("600 s ahead") == true)
            #expect(response.hlc.wallMs < client.clock.now + 1_000, "the server clock must not follow a refused stamp")
            #expect(response.clockOffsetMs == 600_000)
            let stats = try await server.store.stats()
            #expect(stats.replicas.first { $0.replica == "lap-ana" }?.clockOffsetMs == 600_000)
            #expect(stats.changeSeq == 0)
        }
    }

    @Test(arguments: Backend.allCases) func honestSkewWithinTheBoundIsAccepted(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            var template = Laptop("lap-template", wall: client.clock)
            let behind = laptop.mutation(
                template.createCustomer("c1", territory: "east").writes, skewMs: -3 * 3600 * 1000)
            #expect(try await client.push(token, [behind])[0].status == .applied)
        }
    }

    /// A receipt is the server's word for one accepted mutation of one user: a resend gets the same one, and it
    /// vouches for nothing else, so a receipt sent with another change (or made up) leaves every rule in force.
    @Test(arguments: Backend.allCases) func aReceiptVouchesForItsOwnMutationAndNothingElse(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let create = laptop.createCustomer("c1", territory: "east")
            let first = try await client.push(token, [create])
            let receipt = try #require(first[0].receipt)
            #expect(receipt.count == 32 && receipt.allSatisfy(\.isHexDigit))
            #expect(try await client.push(token, [create])[0].receipt == receipt, "a resend gets the same receipt")

            var admin = Laptop("lap-root", wall: client.clock)
            let rootToken = try await client.login("root")
            _ = try await client.push(rootToken, [admin.mutation([set("c1", "territory", .text("west"))])])
            let before = try await server.changeSeq()
            let borrowed = laptop.mutation([set("c1", "phone", .text("0571-1"))])
            let forged = Laptop.renumbered(borrowed, seq: borrowed.seq + 1)
            let results = try await client.push(
                token, [borrowed, forged],
                receipts: [String(borrowed.seq): receipt, String(forged.seq): String(repeating: "0", count: 32)])
            #expect(results.map(\.code) == [.forbidden, .forbidden], "\(results)")
            #expect(results.allSatisfy { $0.receipt == nil })
            #expect(try await server.changeSeq() == before)
        }
    }

    @Test func theDigestTellsMutationsApartWhateverTheirFieldsHold() {
        let hlc = HLCTimestamp(wallMs: 1_790_000_000_000, counter: 0, replica: ReplicaID(trusted: "lap-a"))
        func digest(_ writes: [Write], seq: UInt64 = 1) -> String {
            MutationDigest.of(Mutation(replica: ReplicaID(trusted: "lap-a"), seq: seq, hlc: hlc, writes: writes))
        }
        let base = digest([set("c1", "phone", .text("1"))])
        #expect(base == digest([set("c1", "phone", .text("1"))]) && base.count == 32)
        let others = [
            digest([set("c1", "phone", .integer(1))]), digest([set("c1", "phone", .text("1 "))]),
            digest([set("c1", "phone", .text("1"))], seq: 2), digest([set("c1", "phon", .text("e1"))]),
            digest([
                set("c1", "phone", .text("1"), bases: [WriteID(replica: ReplicaID(trusted: "lap-b"), seq: 1, index: 0)])
            ]),
            digest([.add(record: RecordID(trusted: "c1"), field: "tags", element: "1")]),
            digest([set("c1", "phone", .text("1")), set("c1", "phone", .text("1"))]),
        ]
        #expect(Set(others + [base]).count == others.count + 1)
    }

    @Test(arguments: Backend.allCases) func aDifferentMutationUnderAUsedSeqIsAnsweredReplicaClonedWithEveryLaterOne(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var original = Laptop("lap-ana", wall: client.clock)
            let create = original.createCustomer("c1", territory: "east")
            let first = original.mutation([set("c1", "phone", .text("+49 1"))])
            #expect(try await client.push(token, [create, first]).map(\.status) == [.applied, .applied])
            var copy = Laptop("lap-ana", wall: client.clock)
            _ = copy.createCustomer("c1", territory: "east")
            let other = copy.mutation([set("c1", "phone", .text("+49 2"))])
            let later = copy.mutation([set("c1", "phone", .text("+49 3"))])
            let results = try await client.push(token, [create, other, later])
            #expect(results.map(\.status) == [.duplicate, .retry, .retry])
            #expect(results.dropFirst().allSatisfy { $0.code == .replicaCloned })
            #expect(try await server.changeSeq() == 1, "nothing of a clone is processed")
        }
    }

    @Test(arguments: Backend.allCases) func skewIsMeasuredFromTheLaptopsClockNotFromWhenEditsWereMade(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            var template = Laptop("lap-template", wall: client.clock)
            // Made offline an hour ago, sent now by a laptop whose clock is right.
            let offline = laptop.mutation(template.createCustomer("c1", territory: "east").writes, skewMs: -3_600_000)
            let reply = try await client.send(.post, "/v1/push", token: token, json: PushRequest(mutations: [offline]))
            #expect(try reply.decode(PushResponse.self).clockOffsetMs == 0)
            #expect(try await server.store.stats().replicas.first { $0.replica == "lap-ana" }?.clockOffsetMs == 0)
            // A laptop whose clock reads 90 s slow says so in its header, whatever its edits carry.
            let slow = try await client.send(
                .post, "/v1/push", token: token, json: PushRequest(mutations: []), clockMs: client.clock.now - 90_000)
            #expect(try slow.decode(PushResponse.self).clockOffsetMs == -90_000)
        }
    }

    @Test(arguments: Backend.allCases) func concurrentEditsAreListedAsAConflictAndAResolutionClearsIt(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            let carl = try await client.login("carl")
            var anaLaptop = Laptop("lap-ana", wall: client.clock)
            var carlLaptop = Laptop("lap-carl", wall: client.clock)
            let customer = anaLaptop.createCustomer("c1", territory: "east")
            let create = anaLaptop.mutation([
                .create(record: RecordID(trusted: "o1"), entity: .opportunity),
                set("o1", "customer", .text("c1")), set("o1", "title", .text("Boilers")),
                set("o1", "stage", .text("presenting")),
            ])
            _ = try await client.push(ana, [customer, create])
            let base = create.writeID(3)
            client.clock.advance(ms: 10)
            _ = try await client.push(ana, [anaLaptop.mutation([set("o1", "stage", .text("won"), bases: [base])])])
            client.clock.advance(ms: 10)
            _ = try await client.push(carl, [carlLaptop.mutation([set("o1", "stage", .text("lost"), bases: [base])])])
            let conflicts = try await client.send(.get, "/v1/conflicts", token: ana).decode(ConflictsResponse.self)
                .conflicts
            #expect(conflicts.map(\.id) == ["o1/stage"])
            #expect(Set(conflicts[0].heads.map(\.value)) == [.text("won"), .text("lost")])
            #expect(Set(conflicts[0].heads.map(\.author)) == ["ana", "carl"])
            // The manager resolves it with a write whose bases are both heads.
            let mia = try await client.login("mia")
            var miaLaptop = Laptop("lap-mia", wall: client.clock)
            let resolve = miaLaptop.mutation([set("o1", "stage", .text("won"), bases: conflicts[0].heads.map(\.id))])
            #expect(try await client.push(mia, [resolve])[0].status == .applied)
            #expect(
                try await client.send(.get, "/v1/conflicts", token: ana).decode(ConflictsResponse.self).conflicts
                    .isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func historyListsEveryAcceptedWriteWithOldAndNewValues(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let create = laptop.createCustomer("c1", territory: "east", name: "明达")
            _ = try await client.push(
                ana, [create, laptop.mutation([set("c1", "name", .text("明达机械"), bases: [create.writeID(1)])])])
            let history = try await client.send(.get, "/v1/records/c1/history", token: ana).decode(HistoryResponse.self)
            #expect(history.entries.map(\.op) == ["create", "set", "set", "set"])
            let rename = try #require(history.entries.last)
            #expect(rename.oldValue == .text("明达") && rename.newValue == .text("明达机械") && rename.author == "ana")
            let bo = try await client.login("bo")
            let denied = try await client.send(.get, "/v1/records/c1/history", token: bo)
            #expect(denied.status == .notFound)
            #expect(!denied.text.contains("明达"))
            let missing = try await client.send(.get, "/v1/records/nope/history", token: bo)
            #expect(missing.status == .notFound && missing.error?.error.code == denied.error?.error.code)
        }
    }
}
