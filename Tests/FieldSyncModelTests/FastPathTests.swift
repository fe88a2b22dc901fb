import Foundation
import TestSupport
import Testing

@testable import FieldSyncModel

/// The hand-written fast paths of an import and a sync against the code they stand in for: `Mutation.compactJSON()`
/// and `MutationReader` against `Codable`, the byte-level `TextFormat` check against the character-level one, and
/// `DuplicateRule.nameKey` against its first, string-level form. Seeded; the seed is printed on failure
/// (`FIELDSYNC_FAST_PATH_SEED` replays one).
@Suite struct FastPathTests {
    static let seeds: [UInt64] = {
        if let seed = UInt64(ProcessInfo.processInfo.environment["FIELDSYNC_FAST_PATH_SEED"] ?? "") { return [seed] }
        return Array(1...200)
    }()

    /// Text with what JSON must escape, what identifiers refuse, Chinese, full-width forms and an emoji.
    static let pieces = [
        "a", "Z", "7", "７", "客户", "有限公司", " ", "\"", "\\", "/", "\n", "\r\n", "\t", "\u{0}", "\u{1F}", "é",
        "e\u{301}", "😀", "＋", "-", "(", ")", ".", "@", "#", "x", "ext", "转", ":", "Ltd", "CO", "İ", "K",
    ]

    static func text(_ random: inout SeededGenerator, from pieces: [String] = pieces) -> String {
        (0..<Int.random(in: 0..<8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func mutation(_ random: inout SeededGenerator) -> Mutation {
        let replica = ReplicaID(trusted: "lap-\(Int.random(in: 0..<9, using: &random))")
        func record() -> RecordID { RecordID(trusted: "cus-\(Int.random(in: 0..<99, using: &random))") }
        func bases() -> [WriteID] {
            (0..<Int.random(in: 0..<3, using: &random)).map { index in
                WriteID(replica: replica, seq: UInt64.random(in: 1...UInt64.max, using: &random), index: UInt32(index))
            }
        }
        let values: [Value] = [
            .null, .text(text(&random)), .integer(Int64.random(in: .min ... .max, using: &random)),
            .money(Money(minor: Int64.random(in: -9_999_999...9_999_999, using: &random), currency: "CNY")),
        ]
        let writes: [Write] = (0..<Int.random(in: 0..<6, using: &random)).map { _ in
            switch Int.random(in: 0..<8, using: &random) {
            case 0: .create(record: record(), entity: EntityKind.allCases.randomElement(using: &random)!)
            case 1:
                .set(
                    record: record(), field: text(&random), value: values.randomElement(using: &random)!, bases: bases()
                )
            case 2: .add(record: record(), field: "tags", element: text(&random))
            case 3: .remove(record: record(), field: "tags", element: text(&random), bases: bases())
            case 4: .note(record: record(), text: text(&random))
            case 5: .delete(record: record(), bases: bases())
            case 6: .restore(record: record(), bases: bases())
            default: .merge(record: record(), into: record())
            }
        }
        let hlc = HLCTimestamp(
            wallMs: Int64.random(in: 0...Int64.max, using: &random), counter: UInt32.random(in: 0...9, using: &random),
            replica: replica)
        return Mutation(
            replica: replica, seq: UInt64.random(in: 1...UInt64(Int64.max), using: &random), hlc: hlc, writes: writes)
    }

    @Test(arguments: seeds)
    func mutationsSurviveTheHandWrittenJSON(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let mutations = (0..<20).map { _ in Self.mutation(&random) }
        for mutation in mutations {
            let compact = mutation.compactJSON()
            let pretty = try JSONEncoder().encode(mutation)
            #expect(try JSONDecoder().decode(Mutation.self, from: Data(compact)) == mutation, "seed \(seed)")
            #expect(
                MutationReader.mutation(compact) == mutation,
                "seed \(seed): \(String(decoding: compact, as: UTF8.self))")
            #expect(MutationReader.mutation(Array(pretty)) == mutation, "seed \(seed)")
        }
        let push = PushRequest(mutations: mutations)
        #expect(try JSONDecoder().decode(PushRequest.self, from: Data(push.compactJSON())).mutations == mutations)
        #expect(MutationReader.push(push.compactJSON()) == mutations, "seed \(seed)")
        let receipts = PushRequest(mutations: mutations, receipts: ["1": "r\"1", "22": "收据"])
        #expect(
            try JSONDecoder().decode(PushRequest.self, from: Data(receipts.compactJSON())).receipts == receipts.receipts
        )
        #expect(MutationReader.push(receipts.compactJSON()) == nil, "a push with receipts is left to Codable")
    }

    @Test(arguments: seeds.prefix(50))
    func pullPagesReadInOnePassAsCodableReadsThem(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var dataset = Dataset()
        let mutations = (0..<40).map { _ in Self.mutation(&random) }
        for mutation in mutations { _ = dataset.apply(mutation, author: "作者 \(mutation.replica)") }
        // As a server sends them: created records, superseded ids forgotten.
        let snapshots = dataset.records.filter { $0.value.entity != nil }.sorted { $0.key < $1.key }.map { id, state in
            var sent = state
            sent.forgetSuperseded()
            return RecordSnapshot(id: id, territory: "east", version: Int64(id.rawValue.count), state: sent)
        }
        let page = PullResponse(
            records: snapshots, removed: [RecordID(trusted: "cus-gone")], cursor: "c-\(seed)", changeSeq: Int64(seed),
            more: seed % 2 == 0, reset: seed % 3 == 0, hlc: mutations[0].hlc,
            generation: seed % 5 == 0 ? nil : "gen-\(seed)")
        let bytes = Array(try JSONEncoder().encode(page))
        let decoded = try JSONDecoder().decode(PullResponse.self, from: Data(bytes))
        let read = try #require(PullResponse(compactJSON: bytes), "seed \(seed)")
        #expect(!read.records.isEmpty && read.records == decoded.records, "seed \(seed)")
        #expect(read.removed == decoded.removed && read.cursor == decoded.cursor && read.more == decoded.more)
        #expect(read.reset == decoded.reset && read.hlc == decoded.hlc && read.generation == decoded.generation)
        #expect(read.changeSeq == decoded.changeSeq, "seed \(seed)")
    }

    @Test func theReaderReadsEscapesAndSpacing() {
        let json = #"""
             { "seq" : 3 , "hlc":"5:0:lap-1", "replica":"lap-1", "writes":[ {"record":"cus-1","op":"note",
               "text":"\u5ba2\u6237 \"q\" \\ \/ \b\f\n\r\t \ud83d\ude00"} ] }
            """#
        let mutation = MutationReader.mutation(Array(json.utf8))
        #expect(
            mutation?.writes == [.note(record: RecordID(trusted: "cus-1"), text: "客户 \"q\" \\ / \u{8}\u{C}\n\r\t 😀")])
        #expect(mutation?.seq == 3)
    }

    /// Whatever is not the plain shape is left to `Codable`, which reads it alike or says what is wrong.
    @Test(arguments: [
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[],"extra":1}"#,
        #"{"replica":"lap-1","seq":1,"seq":2,"hlc":"5:0:lap-1","writes":[]}"#,
        #"{"replica":"lap-1","seq":1.0,"hlc":"5:0:lap-1","writes":[]}"#,
        #"{"replica":"lap-1","seq":1e2,"hlc":"5:0:lap-1","writes":[]}"#,
        #"{"replica":"lap-1","seq":01,"hlc":"5:0:lap-1","writes":[]}"#,
        #"{"replica":"lap-1","seq":-1,"hlc":"5:0:lap-1","writes":[]}"#,
        #"{"replica":"lap 1","seq":1,"hlc":"5:0:lap-1","writes":[]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"five","writes":[]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1"}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[]} x"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"create","record":"cus-1","entity":"ship"}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"create","record":"cus-1","entity":"customer","text":"x"}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"set","record":"cus-1","field":"a","value":1.5}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"set","record":"cus-1","field":"a","value":true}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"set","record":"cus-1","field":"a","value":{"minor":1,"currency":"CNY","x":1}}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"note","record":"cus-1","text":"\ud800"}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"note","record":"cus-1","text":"\u00zz"}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"note","record":"cus-1","text":"\x"}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"fly","record":"cus-1"}]}"#,
        #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"delete","record":"cus-1","bases":["nope"]}]}"#,
    ])
    func theReaderLeavesEverythingElseToCodable(json: String) {
        #expect(MutationReader.mutation(Array(json.utf8)) == nil)
        #expect(MutationReader.push(Array(#"{"mutations":[\#(json)]}"#.utf8)) == nil)
    }

    @Test func theReaderRefusesTextThatIsNotUTF8() {
        var bytes = Array(
            #"{"replica":"lap-1","seq":1,"hlc":"5:0:lap-1","writes":[{"op":"note","record":"cus-1","text":"?"}]}"#.utf8)
        bytes[bytes.lastIndex(of: UInt8(ascii: "?"))!] = 0xFF
        #expect(MutationReader.mutation(bytes) == nil)
    }

    @Test(arguments: seeds)
    func phonesAndEmailsReadAsBytesAsAsCharacters(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let ascii = Self.pieces.filter { $0.utf8.allSatisfy { $0 < 0x80 } } + ["0571", "8888", "b.cn", "name"]
        for _ in 0..<200 {
            let text = Self.text(&random, from: ascii)
            for format in [TextFormat.phone, .email] {
                #expect(
                    format.acceptsASCII(Array(text.utf8)) == format.acceptsCharacters(text),
                    "seed \(seed): \(format) \(text.debugDescription)")
            }
        }
    }

    @Test(arguments: seeds)
    func nameKeysMatchTheStringLevelForm(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<100 {
            let name = Self.text(&random)
            #expect(
                DuplicateRule.nameKey(name) == Self.stringLevelNameKey(name), "seed \(seed): \(name.debugDescription)")
        }
    }

    /// `nameKey` as first written: the whole name mapped, lower-cased and filtered as strings, suffixes compared as
    /// characters.
    static func stringLevelNameKey(_ name: String) -> String {
        let scalars = name.unicodeScalars.compactMap { scalar -> Unicode.Scalar? in
            (0xFF01...0xFF5E).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xFEE0) : scalar
        }
        let kept = String(String.UnicodeScalarView(scalars)).lowercased().unicodeScalars.filter {
            $0.properties.isAlphabetic || $0.properties.numericType != nil
        }
        var key = String(String.UnicodeScalarView(kept))
        var trimmed = true
        while trimmed {
            trimmed = false
            for suffix in DuplicateRule.suffixes where key.hasSuffix(suffix) && key.count > suffix.count {
                key.removeLast(suffix.count)
                trimmed = true
                break
            }
        }
        return key
    }
}
