import FieldSyncModel
import Testing

@testable import FieldSyncServer

/// The decoded-state cache serves a state only for the exact version it was stored with.
@Suite struct RecordStateCacheTests {
    func state(_ name: String) -> RecordState {
        var state = RecordState()
        let id = WriteID(replica: ReplicaID(trusted: "lap-a"), seq: 1, index: 0)
        let hlc = HLCTimestamp(wallMs: 1, counter: 0, replica: ReplicaID(trusted: "lap-a"))
        state.apply(.create(record: RecordID(trusted: "c1"), entity: .customer), id: id, hlc: hlc, author: "ana")
        state.apply(
            .set(record: RecordID(trusted: "c1"), field: "name", value: .text(name), bases: []),
            id: WriteID(replica: ReplicaID(trusted: "lap-a"), seq: 1, index: 1), hlc: hlc, author: "ana")
        return state
    }

    @Test func aStateIsServedOnlyForItsVersionAndNeverReplacedByAnOlderOne() {
        let cache = RecordStateCache(capacity: 3)
        let c1 = RecordID(trusted: "c1")
        cache.store([(c1, 5, state("five"))])
        #expect(cache.state(of: c1, version: 5) == state("five"))
        #expect(cache.state(of: c1, version: 6) == nil, "another version is a miss, never a stale hit")
        cache.store([(c1, 7, state("seven"))])
        cache.store([(c1, 6, state("six"))])
        #expect(cache.state(of: c1, version: 7) == state("seven"))
        #expect(cache.state(of: c1, version: 6) == nil)
        cache.store((2...4).map { (RecordID(trusted: "c\($0)"), Int64($0), state("n\($0)")) })
        #expect(cache.state(of: c1, version: 7) == nil, "a full cache starts over")
        #expect(cache.state(of: RecordID(trusted: "c4"), version: 4) == state("n4"))
    }
}
