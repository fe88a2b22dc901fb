import FieldSyncModel
import Foundation
import Testing

@testable import FieldSyncClient

@Suite struct PageSlicerTests {
    /// States stored from the page's bytes must decode to exactly what the page says, whatever the text holds.
    @Test func storedStatesEqualThePageWhateverTheyContain() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-slicer-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try LocalStore(directory: directory)
        let replica = ReplicaID(trusted: "srv-test")
        var records: [RecordSnapshot] = []
        for (index, name) in ["plain", "with \"quotes\" and \\ backslash", "括号 {[ ]} 和逗号, \n newline", "😀 \u{1}"]
            .enumerated()
        {
            var state = RecordState()
            let hlc = HLCTimestamp(wallMs: 1_000, counter: UInt32(index), replica: replica)
            state.apply(
                .create(record: RecordID(trusted: "c\(index)"), entity: .customer),
                id: WriteID(replica: replica, seq: UInt64(index + 1), index: 0), hlc: hlc, author: "a}\"")
            state.apply(
                .set(record: RecordID(trusted: "c\(index)"), field: "name", value: .text(name), bases: []),
                id: WriteID(replica: replica, seq: UInt64(index + 1), index: 1), hlc: hlc, author: "ana")
            records.append(
                RecordSnapshot(
                    id: RecordID(trusted: "c\(index)"), territory: "east \"x\"", version: Int64(index + 1), state: state
                ))
        }
        let page = PullResponse(
            records: records, removed: [], cursor: "1.4", changeSeq: 4, more: false, reset: true,
            hlc: HLCTimestamp(wallMs: 1, counter: 0, replica: replica))
        let raw = try JSONEncoder().encode(page)
        let ranges = try #require(PageSlicer.stateRanges(in: raw), "the slicer must understand a page")
        #expect(ranges.count == records.count)
        for (range, record) in zip(ranges, records) {
            #expect(try JSONDecoder().decode(RecordState.self, from: raw[range]) == record.state)
        }
        #expect(
            PageSlicer.stateRanges(in: Data("{\"records\":[{\"state\":{\"e\":".utf8)) == nil,
            "truncated pages are refused")
        try store.applyPulled(try JSONDecoder().decode(PullResponse.self, from: raw), raw: raw)
        for record in records {
            #expect(try store.record(record.id)?.state == record.state)
        }
    }
}
