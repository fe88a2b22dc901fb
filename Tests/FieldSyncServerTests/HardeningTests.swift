import FieldSyncModel
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import FieldSyncServer

/// Abuse and the edges of the protocol (issue 13): login bursts, bounded records, the metrics scrape, bases that
/// must not tell what exists, methods and media types, who may be named as an owner or a visiting rep.
@Suite struct HardeningTests {
    static func login(_ user: String, password: String = "wrong guess") -> LoginRequest {
        LoginRequest(user: user, password: password, replica: ReplicaID(trusted: "lap-\(user)"))
    }

    /// Sends a wrong-password login for each name at once; the statuses.
    static func concurrentLogins(_ names: [String], _ client: Client) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for name in names {
                group.addTask { Int(try await client.send(.post, "/v1/login", json: Self.login(name)).status.code) }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
    }

    @Test func aBurstOfLoginsGetsNoMorePasswordChecksThanTheLimit() async throws {
        let server = try await TestServer.make {
            $0.maxLoginFailures = 5
            $0.maxLoginNamesPerAddress = 12
        }
        try await server.run { client in
            let statuses = try await Self.concurrentLogins(Array(repeating: "ana", count: 100), client)
            #expect(statuses.filter { $0 == 401 }.count == 5, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 95)
            // Carl shares ana's address (one office): her typos do not lock him out.
            _ = try await client.login("carl")
            let sprayed = try await Self.concurrentLogins((0..<40).map { "nobody\($0)" }, client)
            // ana already counts as one failed name from this address.
            #expect(sprayed.filter { $0 == 401 }.count == 11, "\(sprayed)")
            #expect(sprayed.filter { $0 == 429 }.count == 29)
            client.clock.advance(ms: 6 * 60 * 1000)
            _ = try await client.login("ana")
            testOutput("login burst: 100 concurrent wrong passwords → 5 checks, 95 × 429; 40 sprayed names → 11 checks")
        }
    }

    @Test(arguments: Backend.allCases) func metricsNeedTheMetricsTokenOrAnAdminAndNameNobody(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend) { $0.metricsToken = "scrape-secret" }
        try await server.run { client in
            let rep = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            _ = try await client.push(rep, [laptop.createCustomer("c1", territory: "east")])
            #expect(try await client.send(.get, "/metrics").status == .unauthorized)
            #expect(try await client.send(.get, "/metrics", token: rep).status == .unauthorized)
            #expect(try await client.send(.get, "/metrics", token: "wrong-secret").status == .unauthorized)
            for token in ["scrape-secret", try await client.login("root")] {
                let scrape = try await client.send(.get, "/metrics", token: token)
                #expect(scrape.status == .ok)
                #expect(scrape.text.contains("fieldsync_records 1"))
                #expect(!scrape.text.contains("ana") && !scrape.text.contains("lap-") && !scrape.text.contains("root"))
            }
        }
    }

    /// Every family has HELP and TYPE; times are in seconds; push and pull times are histograms by outcome.
    @Test func metricsHaveHelpBaseUnitsAndLatencyByOutcome() async throws {
        let server = try await TestServer.make { $0.metricsToken = "scrape-secret" }
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            _ = try await client.push(token, [laptop.createCustomer("c1", territory: "east")])
            _ = try await client.push(token, [laptop.mutation([set("c1", "class", .text("Z"))])])
            #expect(try await client.send(.post, "/v1/push", token: token, body: Data("{}".utf8)).status == .badRequest)
            _ = try await client.pull(token)
            let text = try await client.send(.get, "/metrics", token: "scrape-secret").text
            for (outcome, count) in [("ok", 1), ("refused", 1), ("client_error", 1)] {
                #expect(
                    text.contains("fieldsync_push_duration_seconds_count{outcome=\"\(outcome)\"} \(count)"), "\(text)")
            }
            #expect(text.contains("fieldsync_pull_duration_seconds_count{outcome=\"ok\"} 1"), "\(text)")
            let families = Set(
                text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
                    $0.split(separator: " ").first?.split(separator: "{").first.map(String.init)
                }.map { name in
                    ["_bucket", "_count", "_sum"].reduce(name) { $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0 }
                })
            for family in families {
                #expect(text.contains("# HELP \(family) ") && text.contains("# TYPE \(family) "), "\(family)")
                #expect(
                    !family.hasSuffix("_ms") && !family.hasSuffix("_milliseconds"), "\(family) is not in base units")
            }
        }
    }

    @Test(arguments: Backend.allCases) func notesAndStoredSizeOfARecordAreBounded(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            _ = try await client.push(token, [laptop.createCustomer("c1", territory: "east")])
            let c1 = RecordID(trusted: "c1")
            let note = Write.note(record: c1, text: "n")
            let full = try await client.push(
                token,
                [
                    laptop.mutation(Array(repeating: note, count: 500)),
                    laptop.mutation(Array(repeating: note, count: 500)),
                ])
            #expect(full.allSatisfy { $0.status == .applied })
            let over = try await client.push(token, [laptop.mutation([note])])
            #expect(over[0].status == .rejected && over[0].code == .recordTooLarge, "\(over)")
            #expect(over[0].reason?.contains("1000 notes") == true)

            _ = try await client.push(token, [laptop.createCustomer("c2", territory: "east")])
            let long = Write.note(record: RecordID(trusted: "c2"), text: String(repeating: "温", count: 4000))
            let before = try await server.changeSeq()
            let big = try await client.push(token, [laptop.mutation(Array(repeating: long, count: 90))])
            #expect(big[0].status == .rejected && big[0].code == .recordTooLarge, "\(big)")
            #expect(try await server.changeSeq() == before)
            let fits = try await client.push(token, [laptop.mutation(Array(repeating: long, count: 80))])
            #expect(fits[0].status == .applied)
        }
    }

    @Test(arguments: Backend.allCases) func aBaseInAnotherTerritoryIsAnsweredLikeAMissingOne(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var (ana, anaLaptop) = try await client.laptop("ana")
            var (bo, boLaptop) = try await client.laptop("bo")
            _ = try await client.push(ana, [anaLaptop.createCustomer("c1", territory: "east")])
            _ = try await client.push(bo, [boLaptop.createCustomer("w1", territory: "west")])
            let hidden = WriteID(replica: ReplicaID(trusted: "lap-bo"), seq: 1, index: 2)
            let missing = WriteID(replica: ReplicaID(trusted: "lap-bo"), seq: 9, index: 2)
            let answers = try await client.push(
                ana,
                [
                    anaLaptop.mutation([set("c1", "phone", .text("0571-1"), bases: [hidden])]),
                    anaLaptop.mutation([set("c1", "phone", .text("0571-1"), bases: [missing])]),
                ])
            #expect(answers.map(\.code) == [.unknownBase, .unknownBase])
            #expect(
                answers[0].reason?.replacingOccurrences(of: hidden.description, with: "W")
                    == answers[1].reason?.replacingOccurrences(of: missing.description, with: "W"))
        }
    }

    @Test(arguments: Backend.allCases) func ownersAndVisitingRepsMustBeUsersWhoSeeTheCard(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var (ana, anaLaptop) = try await client.laptop("ana")
            var (mia, miaLaptop) = try await client.laptop("mia")
            let created = try await client.push(
                ana,
                [
                    anaLaptop.createCustomer("c1", territory: "east"),
                    anaLaptop.mutation([set("c1", "owner", .text("ana"))]),
                    anaLaptop.mutation([set("c1", "owner", .text("carl"))]),
                ])
            #expect(created.map(\.status) == [.applied, .applied, .rejected])
            #expect(created[2].code == .forbidden)
            let assigned = try await client.push(
                mia,
                [
                    miaLaptop.mutation([set("c1", "owner", .text("carl"))]),
                    miaLaptop.mutation([set("c1", "owner", .text("bo"))]),
                    miaLaptop.mutation([set("c1", "owner", .text("nobody"))]),
                    miaLaptop.mutation([
                        .create(record: RecordID(trusted: "v1"), entity: .visit), set("v1", "customer", .text("c1")),
                        set("v1", "plannedAt", .text("2026-12-03T01:00:00Z")), set("v1", "rep", .text("bo")),
                    ]),
                ])
            #expect(assigned.map(\.status) == [.applied, .rejected, .rejected, .rejected])
            #expect(assigned.dropFirst().allSatisfy { $0.code == .valueNotAllowed }, "\(assigned)")
        }
    }

    @Test func malformedMutationsAreRefusedUnderTheirSeqAndThePushGoesOn() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let token = try await client.login("ana")
            let now = client.clock.now
            func mutation(_ seq: Int, hlc: String, _ writes: String) -> String {
                #"{"replica":"lap-ana","seq":\#(seq),"hlc":"\#(hlc)","writes":[\#(writes)]}"#
            }
            let good =
                #"{"op":"create","record":"c1","entity":"customer"},{"op":"set","record":"c1","field":"name","value":"温州"},{"op":"set","record":"c1","field":"territory","value":"east"}"#
            let entries = [
                mutation(0, hlc: "\(now):0:lap-ana", good), mutation(1, hlc: "yesterday", good),
                mutation(2, hlc: "-5:0:lap-ana", good), mutation(3, hlc: "\(now):1:lap-ana", good),
            ]
            let body = #"{"mutations":["# + entries.joined(separator: ",") + "]}"
            let reply = try await client.send(.post, "/v1/push", token: token, body: Data(body.utf8))
            let results = try reply.decode(PushResponse.self).results
            #expect(results.map(\.status) == [.rejected, .rejected, .rejected, .applied], "\(reply.text)")
            #expect(results.map(\.code) == [.invalidMutation, .invalidIdentifier, .invalidIdentifier, nil])
            #expect(try await server.changeSeq() == 1)
            let again = try await client.send(.post, "/v1/push", token: token, body: Data(body.utf8))
            #expect(
                try again.decode(PushResponse.self).results.map(\.status) == [
                    .rejected, .rejected, .rejected, .duplicate,
                ])
            let note = mutation(4, hlc: "\(now):2:lap-ana", #"{"op":"note","record":"c1","text":"AB"}"#)
            let invalidUTF8 = Array((#"{"mutations":["# + note + "]}").utf8).map {
                $0 == UInt8(ascii: "B") ? 0xFF : $0
            }
            let refused = try await client.send(.post, "/v1/push", token: token, body: Data(invalidUTF8))
            #expect(try refused.decode(PushResponse.self).results.map(\.status) == [.rejected], "\(refused.text)")
            #expect(try await server.changeSeq() == 1)
        }
    }

    @Test func wrongMethodsMediaTypesAndPathsGetTheErrorBody() async throws {
        let server = try await TestServer.make { $0.maxBodyBytes = 64 << 10 }
        try await server.run { client in
            let token = try await client.login("ana")
            let wrongMethod = try await client.send(.get, "/v1/push", token: token)
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.error?.error.code == .methodNotAllowed)
            let history = try await client.send(.delete, "/v1/records/c1/history", token: token)
            #expect(history.status == .methodNotAllowed)
            let nowhere = try await client.send(.get, "/v2/everything", token: token)
            #expect(nowhere.status == .notFound && nowhere.error?.error.code == .notFound)
            let plain = try await client.client.execute(
                uri: "/v1/login", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: #"{"user":"ana","password":"x","replica":"lap-ana"}"#)
            ) { $0 }
            #expect(plain.status == .unsupportedMediaType)
            let huge = try await client.send(
                .post, "/v1/login",
                json: LoginRequest(
                    user: "ana", password: String(repeating: "p", count: 20_000), replica: ReplicaID(trusted: "x")))
            #expect(huge.status == .contentTooLarge && huge.error?.error.message.contains("push") == false)
        }
    }
}
