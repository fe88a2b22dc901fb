import FieldSyncModel
import Foundation
import TestSupport
import Testing

@testable import FieldSyncServer

/// A seeded, time-bounded fuzzer of the push and pull decoders (issue 13): mutated push bodies and pull queries go
/// through the whole application in process, and mutated pull answers through the client's decoder.
///
/// Every case must get 200 or a documented 4xx with the protocol's body, only documented codes, and a refused case
/// must change nothing. The kept corpus (`Fixtures/fuzz`) replays first: inputs that once found something stay as
/// regression cases. `FIELDSYNC_FUZZ_SEED` replays a run, `FIELDSYNC_FUZZ_SECONDS` sets its length (default 3 s).
@Suite struct DecoderFuzzTests {
    static let seed =
        UInt64(ProcessInfo.processInfo.environment["FIELDSYNC_FUZZ_SEED"] ?? "")
        ?? UInt64.random(in: 1...999_999_999)
    static let seconds = Double(ProcessInfo.processInfo.environment["FIELDSYNC_FUZZ_SECONDS"] ?? "") ?? 3
    static let allowedStatuses: Set<Int> = [200, 400, 401, 403, 404, 409, 413, 415, 422, 429]
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz")

    /// The kept inputs under `Fixtures/fuzz/NAME`, each file one input.
    static func kept(_ name: String) throws -> [Data] {
        let folder = corpus.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
    }

    /// Valid push bodies to start from: every op kind, with the `HLC` placeholder for the current clock.
    static let pushSeeds: [String] = [
        #"{"op":"create","record":"cf1","entity":"customer"},{"op":"set","record":"cf1","field":"name","value":"温州"},"#
            + #"{"op":"set","record":"cf1","field":"territory","value":"east"}"#,
        #"{"op":"set","record":"c1","field":"creditLimit","value":{"minor":500000,"currency":"CNY"}}"#,
        #"{"op":"set","record":"c1","field":"temperature","value":"hot","bases":["lap-ana:1:1"]}"#,
        #"{"op":"add","record":"c1","field":"tags","element":"vip"},"#
            + #"{"op":"remove","record":"c1","field":"tags","element":"vip","bases":["lap-ana:1:2"]}"#,
        #"{"op":"note","record":"c1","text":"拜访了客户"}"#,
        #"{"op":"delete","record":"o1"},{"op":"restore","record":"o1","bases":["lap-ana:2:0"]}"#,
        #"{"op":"set","record":"o1","field":"stage","value":"proposal"}"#,
    ].map { BadInputTests.push($0, seq: 3) }

    /// Values and fragments the mutator splices in: edges of numbers, text and structure.
    static let values: [String] = [
        "null", "true", "0", "-1", "5.0", "1.5", "1e308", "-0", "18446744073709551615", "18446744073709551616",
        "9223372036854775807", #""""#, #""   ""#, #""\u0085""#, #""\u0000""#, #""\ud800""#, #""lap-bo""#, #""east""#,
        #""west""#, #""c1""#, #""../../etc""#, #""'; DROP TABLE records; --""#, "[]", "{}",
        #"{"minor":1,"currency":"CNY","extra":1}"#,
        String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
        "\"" + String(repeating: "长", count: 3000) + "\"",
    ]
    static let keys = [
        "op", "record", "entity", "field", "value", "bases", "element", "text", "seq", "replica", "hlc", "writes",
        "territory", "owner", "id", "__proto__",
    ]

    /// One mutation of `input`: a structural one on its JSON tree when it parses, else (or one time in four) a byte
    /// one.
    static func mutate(_ input: Data, _ random: inout SeededGenerator) -> Data {
        if random.chance(75), let tree = try? JSONSerialization.jsonObject(with: input, options: [.fragmentsAllowed]) {
            let changed = mutate(tree, depth: 0, &random)
            if let data = try? JSONSerialization.data(withJSONObject: changed, options: [.fragmentsAllowed]) {
                return random.chance(20) ? splice(data, &random) : data
            }
        }
        return random.chance(50) ? splice(input, &random) : flip(input, &random)
    }

    static func fragment(_ random: inout SeededGenerator) -> Any {
        let text = values.randomElement(using: &random)!
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? NSNull()
    }

    static func mutate(_ node: Any, depth: Int, _ random: inout SeededGenerator) -> Any {
        if depth > 0, random.chance(15) { return fragment(&random) }
        switch node {
        case var object as [String: Any]:
            guard !object.isEmpty, !random.chance(10) else {
                object[keys.randomElement(using: &random)!] = fragment(&random)
                return object
            }
            let key = object.keys.sorted().randomElement(using: &random)!
            switch Int.random(in: 0..<10, using: &random) {
            case 0: object[key] = nil
            case 1: object[keys.randomElement(using: &random)!] = object[key]
            default: object[key] = mutate(object[key]!, depth: depth + 1, &random)
            }
            return object
        case var array as [Any]:
            guard !array.isEmpty else { return [fragment(&random)] }
            let index = Int.random(in: 0..<array.count, using: &random)
            switch Int.random(in: 0..<10, using: &random) {
            case 0: array.remove(at: index)
            case 1: array.insert(array[index], at: index)
            default: array[index] = mutate(array[index], depth: depth + 1, &random)
            }
            return array
        default:
            return fragment(&random)
        }
    }

    /// Replaces a random span of `input` with a value, a stray token or invalid UTF-8.
    static func splice(_ input: Data, _ random: inout SeededGenerator) -> Data {
        var bytes = [UInt8](input)
        let start = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        let end = min(bytes.count, start + Int.random(in: 0...8, using: &random))
        let pieces = values + [",", "}", "]", ":", "\"", "NaN", "Infinity", "\u{FEFF}"]
        var insert = [UInt8](pieces.randomElement(using: &random)!.utf8)
        if random.chance(20) { insert = [0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80].shuffled(using: &random) }
        bytes.replaceSubrange(start..<end, with: insert)
        return Data(bytes)
    }

    /// Flips, drops or truncates bytes.
    static func flip(_ input: Data, _ random: inout SeededGenerator) -> Data {
        var bytes = [UInt8](input)
        guard !bytes.isEmpty else { return Data([0x7B]) }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
        case 1: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
        default: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
        }
        return Data(bytes)
    }

    /// What is wrong with `reply`, or nil when it is a 200 or a documented 4xx with the protocol's body.
    static func problem(with reply: Client.Reply, expecting type: (some Decodable).Type) -> String? {
        let documented = Set(ErrorCode.wire)
        guard allowedStatuses.contains(Int(reply.status.code)) else { return "status \(reply.status.code)" }
        if reply.status == .ok {
            guard (try? reply.decode(type)) != nil else { return "a 200 whose body is not the schema's" }
            if let push = try? reply.decode(PushResponse.self),
                let code = push.results.compactMap(\.code).first(where: { !documented.contains($0) })
            {
                return "undocumented per-mutation code \(code)"
            }
            return nil
        }
        guard let error = reply.error else { return "a \(reply.status.code) without the error body" }
        return documented.contains(error.error.code) ? nil : "undocumented code \(error.error.code)"
    }

    /// Sends every kept push input, then mutated ones until the time is up; counts cases and what they got.
    @Test func mutatedPushBodiesGet200OrADocumented4xxAndRefusalsChangeNothing() async throws {
        let server = try await TestServer.make()
        let replay = "FIELDSYNC_FUZZ_SEED=\(Self.seed) swift test --filter FieldSyncServerTests.DecoderFuzzTests/"
        try await server.run { client in
            var random = SeededGenerator(seed: Self.seed)
            let token = try await BadInputTests.seed(client)
            var inputs = try Self.kept("push").makeIterator()
            var cases = 0
            var statuses: [Int: Int] = [:]
            let deadline = ContinuousClock.now + .milliseconds(Int(Self.seconds * 1000))
            var seq = 3
            while ContinuousClock.now < deadline || cases < 50 {
                let body: Data
                if let next = inputs.next() {
                    body = next
                } else {
                    var input = Data(Self.pushSeeds.randomElement(using: &random)!.utf8)
                    for _ in 0...Int.random(in: 0..<3, using: &random) { input = Self.mutate(input, &random) }
                    body = input
                }
                seq += 1
                let text = String(decoding: body, as: UTF8.self)
                    .replacingOccurrences(of: #""seq":3"#, with: #""seq":\#(seq)"#)
                    .replacingOccurrences(of: BadInputTests.hlc, with: "\(client.clock.now):\(seq):lap-ana")
                let before = try await server.changeSeq()
                let reply = try await client.send(.post, "/v1/push", token: token, body: Data(text.utf8))
                cases += 1
                statuses[Int(reply.status.code), default: 0] += 1
                let applied = (try? reply.decode(PushResponse.self))?.results.contains { $0.status == .applied }
                let changed = try await server.changeSeq() != before
                if let problem = Self.problem(with: reply, expecting: PushResponse.self) {
                    Issue.record("push case \(cases): \(problem); \(replay)\nbody: \(text.prefix(2000))\n\(reply.text)")
                    break
                }
                if changed && applied != true {
                    Issue.record("push case \(cases) changed the store without an applied result; \(replay)\n\(text)")
                    break
                }
            }
            testOutput(
                "push decoder fuzz: \(cases) cases (seed \(Self.seed), \(Self.seconds) s, sqlite), statuses"
                    + " \(statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")):"
                    + " 0 server errors, 0 undocumented answers, 0 state changes from refusals")
        }
    }

    /// Mutated pull queries to the server, and mutated pull answers to the client's decoder.
    @Test func mutatedPullQueriesAndAnswersAreReadOrRefusedCleanly() async throws {
        let server = try await TestServer.make()
        let replay = "FIELDSYNC_FUZZ_SEED=\(Self.seed) swift test --filter FieldSyncServerTests.DecoderFuzzTests/"
        try await server.run { client in
            var random = SeededGenerator(seed: Self.seed ^ 0x5055_4C4C)
            let token = try await BadInputTests.seed(client)
            let page = try await client.send(.get, "/v1/pull?limit=1", token: token)
            let answer = try page.decode(PullResponse.self)
            var queries = try Self.kept("pull-query").map { String(decoding: $0, as: UTF8.self) }.makeIterator()
            var answers = try Self.kept("pull-answer").makeIterator()
            var cases = 0
            let before = try await server.changeSeq()
            let deadline = ContinuousClock.now + .milliseconds(Int(Self.seconds * 500))
            while ContinuousClock.now < deadline || cases < 50 {
                let query: String
                if let next = queries.next() {
                    query = next
                } else {
                    let cursor = Self.mutate(Data(answer.cursor.utf8), &random)
                    let limit = Self.values.randomElement(using: &random)!
                    query =
                        "cursor=\(String(decoding: cursor, as: UTF8.self))&limit=\(random.chance(50) ? limit : "2")"
                }
                let escaped = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? query
                let reply = try await client.send(.get, "/v1/pull?" + escaped, token: token)
                cases += 1
                if let problem = Self.problem(with: reply, expecting: PullResponse.self) {
                    Issue.record("pull case \(cases): \(problem); \(replay)\nquery: \(query)\n\(reply.text)")
                    break
                }
                // The client reads whatever a server or a proxy sends: a decoded answer or a thrown error, no crash.
                let body = answers.next() ?? Self.mutate(page.body, &random)
                _ = try? JSONDecoder().decode(PullResponse.self, from: body)
                cases += 1
            }
            #expect(try await server.changeSeq() == before, "a pull changed the store; \(replay)")
            testOutput(
                "pull decoder fuzz: \(cases) cases (seed \(Self.seed), queries to the server and answers to the"
                    + " client's decoder): 0 server errors, 0 undocumented answers, 0 crashes")
        }
    }
}
