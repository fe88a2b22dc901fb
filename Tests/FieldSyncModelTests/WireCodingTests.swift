import FieldSyncModel
import Foundation
import Testing

@Suite struct WireCodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func valuesDecodeFromPlainJSON() throws {
        #expect(
            try decode([Value].self, #"[null, "杭州", 42, {"minor": 129900, "currency": "CNY"}]"#) == [
                .null, .text("杭州"), .integer(42), .money(Money(minor: 129_900, currency: "CNY")),
            ])
    }

    @Test(arguments: [
        #"[1.5]"#, #"[true]"#, #"[1e400]"#, #"[[1]]"#, #"[{"minor": 1.5, "currency": "CNY"}]"#,
        #"[99999999999999999999]"#,
    ])
    func fractionalOverflowingAndOddValuesAreRefused(_ json: String) {
        #expect(throws: (any Error).self) { try decode([Value].self, json) }
    }

    @Test func mutationRoundTripsThroughJSON() throws {
        let replica = ReplicaID(trusted: "lap-1")
        let mutation = Mutation(
            replica: replica, seq: 3, hlc: HLCTimestamp(wallMs: 99, counter: 1, replica: replica),
            writes: [
                .create(record: RecordID(trusted: "c1"), entity: .customer),
                .set(record: RecordID(trusted: "c1"), field: "name", value: .text("明达"), bases: []),
                .set(
                    record: RecordID(trusted: "c1"), field: "phone", value: .null,
                    bases: [WriteID(replica: replica, seq: 2, index: 0)]),
                .add(record: RecordID(trusted: "c1"), field: "tags", element: "vip"),
                .remove(record: RecordID(trusted: "c1"), field: "tags", element: "old", bases: []),
                .note(record: RecordID(trusted: "c1"), text: "拜访"),
                .delete(record: RecordID(trusted: "c1"), bases: []),
                .restore(record: RecordID(trusted: "c1"), bases: []),
            ])
        let data = try JSONEncoder().encode(mutation)
        #expect(try JSONDecoder().decode(Mutation.self, from: data) == mutation)
    }

    @Test(arguments: [
        #"{"op":"explode","record":"c1"}"#, #"{"op":"set","record":"bad id","field":"x","value":1}"#,
        #"{"op":"set","record":"c1","field":"x","value":1,"bases":["nope"]}"#,
        #"{"op":"create","record":"c1","entity":"lead"}"#,
    ])
    func malformedWritesAreRefused(_ json: String) {
        #expect(throws: (any Error).self) { try decode(Write.self, json) }
    }
}

@Suite struct RecordStateCodingTests {
    @Test func aStateWithoutItsEntityIsRefusedNotReadAsEmpty() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RecordState.self, from: Data(#"{"fields":{}}"#.utf8))
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RecordState.self, from: Data("{}".utf8)) }
    }

    @Test func anOriginRowOutOfRangeIsRefused() {
        let json = #"{"e":"customer","m":[["lap",1,5,0,"ana"]],"f":{"name":[[3,0,"x"]]}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RecordState.self, from: Data(json.utf8)) }
    }
}
