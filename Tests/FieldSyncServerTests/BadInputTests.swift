import FieldSyncModel
import Foundation
import TestSupport
import Testing

@testable import FieldSyncServer

/// Every class of bad input gets a 4xx with the protocol's error body (or a per-mutation refusal) and changes nothing.
@Suite struct BadInputTests {
    static let hlc = "1790000000000:0:lap-ana"

    static func push(_ writes: String, seq: Int = 1) -> String {
        #"{"mutations":[{"replica":"lap-ana","seq":\#(seq),"hlc":"\#(hlc)","writes":[\#(writes)]}]}"#
    }

    /// Bodies refused as a whole: malformed framing, wrong types, broken values.
    static let malformed: [(String, [UInt8])] = [
        ("empty body", []),
        ("not JSON", Array("mutations please".utf8)),
        ("truncated", Array(#"{"mutations":[{"replica":"lap-ana","seq":1"#.utf8)),
        ("array instead of object", Array("[]".utf8)),
        ("mutations is a string", Array(#"{"mutations":"all"}"#.utf8)),
        ("seq is negative", Array(push("").replacingOccurrences(of: #""seq":1"#, with: #""seq":-1"#).utf8)),
        ("seq is fractional", Array(push("").replacingOccurrences(of: #""seq":1"#, with: #""seq":1.5"#).utf8)),
        ("NaN literal", Array(push(#"{"op":"set","record":"c1","field":"phone","value":NaN}"#).utf8)),
        (
            "seq is too large",
            Array(push("").replacingOccurrences(of: #""seq":1"#, with: #""seq":18446744073709551616"#).utf8)
        ),
        ("unknown top-level key", Array(#"{"mutations":[],"force":true}"#.utf8)),
        ("deep nesting", Array((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8)),
        (
            "mutations out of order",
            Array(
                #"{"mutations":[\#(push("", seq: 2).dropFirst(14).dropLast(2)),\#(push("").dropFirst(14).dropLast(2))]}"#
                    .utf8)
        ),
    ]

    /// Mutations refused one by one: well-formed JSON the schema does not allow.
    static let refused: [(String, String, ErrorCode)] = [
        ("unknown field", #"{"op":"set","record":"c1","field":"nickname","value":"x"}"#, .unknownField),
        ("server-owned field", #"{"op":"set","record":"c1","field":"createdBy","value":"root"}"#, .unknownField),
        (
            "enum out of range", #"{"op":"set","record":"c1","field":"temperature","value":"lukewarm"}"#,
            .valueNotAllowed
        ),
        ("wrong type", #"{"op":"set","record":"c1","field":"class","value":3}"#, .wrongType),
        (
            "negative money",
            #"{"op":"set","record":"c1","field":"creditLimit","value":{"minor":-100,"currency":"CNY"}}"#,
            .invalidMoney
        ),
        (
            "overflowing money",
            #"{"op":"set","record":"c1","field":"creditLimit","value":{"minor":9223372036854775807,"currency":"CNY"}}"#,
            .invalidMoney
        ),
        ("NUL in text", #"{"op":"set","record":"c1","field":"remarks","value":"a\u0000b"}"#, .invalidText),
        (
            "text over its limit",
            #"{"op":"set","record":"c1","field":"phone","value":"\#(String(repeating: "9", count: 41))"}"#,
            .textTooLong
        ),
        ("malformed date", #"{"op":"set","record":"o1","field":"closeDate","value":"2026-02-30"}"#, .invalidDate),
        ("missing reference", #"{"op":"set","record":"o1","field":"customer","value":"c404"}"#, .missingReference),
        ("unknown record", #"{"op":"note","record":"c404","text":"hello"}"#, .unknownRecord),
        ("boolean value", #"{"op":"set","record":"c1","field":"phone","value":true}"#, .wrongType),
        (
            "float money", #"{"op":"set","record":"c1","field":"creditLimit","value":{"minor":1.5,"currency":"CNY"}}"#,
            .wrongType
        ),
        (
            "overflowing number", #"{"op":"set","record":"c1","field":"x","value":123456789012345678901234567890}"#,
            .wrongType
        ),
        ("unknown op", #"{"op":"drop","record":"c1"}"#, .invalidMutation),
        ("record id with spaces", #"{"op":"note","record":"c 1","text":"x"}"#, .invalidIdentifier),
        ("record id injection", #"{"op":"note","record":"c1'; DROP TABLE records;--","text":"x"}"#, .invalidIdentifier),
        (
            "malformed base", #"{"op":"set","record":"c1","field":"phone","value":"1","bases":["c1"]}"#,
            .invalidIdentifier
        ),
        ("unknown entity", #"{"op":"create","record":"l1","entity":"lead"}"#, .unknownEntity),
        ("unknown key in a write", #"{"op":"note","record":"c1","text":"x","territory":"west"}"#, .invalidMutation),
        (
            "extra money key",
            #"{"op":"set","record":"c1","field":"creditLimit","value":{"minor":1,"currency":"CNY","rate":2}}"#,
            .invalidMutation
        ),
        ("C1 control character", #"{"op":"set","record":"c1","field":"remarks","value":"a\u0085b"}"#, .invalidText),
        ("blank required field", #"{"op":"set","record":"c1","field":"name","value":"   "}"#, .missingRequired),
        ("empty required field", #"{"op":"set","record":"o1","field":"title","value":""}"#, .missingRequired),
        (
            "owner set by a rep to another user", #"{"op":"set","record":"c1","field":"owner","value":"root"}"#,
            .forbidden
        ),
        (
            "visit rep nobody is",
            #"{"op":"create","record":"v1","entity":"visit"},{"op":"set","record":"v1","field":"customer","value":"c1"},{"op":"set","record":"v1","field":"plannedAt","value":"2026-12-03T01:00:00Z"},{"op":"set","record":"v1","field":"rep","value":"ghost"}"#,
            .valueNotAllowed
        ),
        ("clearing a required field", #"{"op":"set","record":"c1","field":"name","value":null}"#, .missingRequired),
        ("create without required fields", #"{"op":"create","record":"c9","entity":"customer"}"#, .missingRequired),
        (
            "create over an existing record",
            #"{"op":"create","record":"c1","entity":"customer"},{"op":"set","record":"c1","field":"name","value":"x"},{"op":"set","record":"c1","field":"territory","value":"east"}"#,
            .recordExists
        ),
    ]

    /// Seeds c1 (customer) and o1 (opportunity) for ana, returning her token.
    static func seed(_ client: Client) async throws -> String {
        let token = try await client.login("ana")
        var laptop = Laptop("lap-ana", wall: client.clock)
        let results = try await client.push(
            token,
            [
                laptop.createCustomer("c1", territory: "east"),
                laptop.mutation([
                    .create(record: RecordID(trusted: "o1"), entity: .opportunity), set("o1", "customer", .text("c1")),
                    set("o1", "title", .text("Boilers")),
                ]),
            ])
        try #require(results.allSatisfy { $0.status == .applied })
        return token
    }

    @Test(arguments: Backend.allCases) func malformedBodiesGet400AndChangeNothing(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await Self.seed(client)
            let before = try await server.changeSeq()
            for (name, body) in Self.malformed {
                let reply = try await client.send(.post, "/v1/push", token: token, body: Data(body))
                #expect(reply.status == .badRequest, "\(name): \(reply.status) \(reply.text)")
                #expect(reply.error?.error.code == .badRequest, "\(name): \(reply.text)")
            }
            #expect(try await server.changeSeq() == before)
            testOutput("bad input: \(Self.malformed.count) malformed bodies → 100% 400, 0 state changes (\(backend))")
        }
    }

    @Test(arguments: Backend.allCases) func invalidMutationsAreRefusedOneByOneAndChangeNothing(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await Self.seed(client)
            let before = try await server.changeSeq()
            for (index, (name, writes, code)) in Self.refused.enumerated() {
                let body = Self.push(writes, seq: 3 + index).replacingOccurrences(
                    of: Self.hlc, with: "\(client.clock.now):\(index):lap-ana")
                let reply = try await client.send(.post, "/v1/push", token: token, body: Data(body.utf8))
                let result = try reply.decode(PushResponse.self).results[0]
                #expect(result.status == .rejected && result.code == code, "\(name): \(result)")
                #expect(result.reason?.isEmpty == false)
            }
            #expect(try await server.changeSeq() == before)
        }
    }

    @Test(arguments: Backend.allCases) func oversizedBodiesAndPushesGet413(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend) {
            $0.maxBodyBytes = 4096
            $0.maxMutationsPerPush = 3
        }
        try await server.run { client in
            let token = try await client.login("ana")
            let big = Data(
                Self.push(#"{"op":"note","record":"c1","text":"\#(String(repeating: "x", count: 5000))"}"#).utf8)
            let reply = try await client.send(.post, "/v1/push", token: token, body: big)
            #expect(reply.status == .contentTooLarge && reply.error?.error.code == .payloadTooLarge)
            var laptop = Laptop("lap-ana", wall: client.clock)
            let many = (0..<4).map { laptop.createCustomer("c\($0)", territory: "east") }
            let tooMany = try await client.send(.post, "/v1/push", token: token, json: PushRequest(mutations: many))
            #expect(tooMany.status == .contentTooLarge && tooMany.error?.error.code == .tooManyMutations)
            #expect(try await server.changeSeq() == 0)
        }
    }

    @Test(arguments: Backend.allCases) func badPullParametersGet400(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            for query in [
                "cursor=abc", "cursor=1.2.3.4.5", "cursor=1.2.g1.v1.x.v0", "cursor=1.2.g-1", "cursor=-1.0", "limit=0",
                "limit=999999", "limit=ten",
            ] {
                let reply = try await client.send(.get, "/v1/pull?\(query)", token: token)
                #expect(reply.status == .badRequest, "\(query): \(reply.text)")
            }
        }
    }

    @Test(arguments: Backend.allCases) func injectionShapedTextIsStoredVerbatimAndHarmless(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await Self.seed(client)
            var laptop = Laptop("lap-ana", wall: client.clock)
            laptop.nextSeq = 3
            let text = "'); DROP TABLE records; -- <script>alert(1)</script> \"quoted\" \\ 😀"
            _ = try await client.push(token, [laptop.mutation([set("c1", "remarks", .text(text))])])
            let pulled = try await client.pullAll(token)
            #expect(pulled.records[RecordID(trusted: "c1")]?.state.value("remarks") == .text(text))
            #expect(try await server.store.stats().records == 2)
        }
    }
}
