import FieldSyncModel
import Testing

@Suite struct HybridLogicalClockTests {
    let laptop = ReplicaID(trusted: "laptop")
    let server = ReplicaID(trusted: "server")

    @Test func followsWallTimeAndOrdersWithinAMillisecond() {
        var clock = HybridLogicalClock(replica: laptop)
        let first = clock.now(physicalMs: 1_000)
        let second = clock.now(physicalMs: 1_000)
        let third = clock.now(physicalMs: 2_000)
        #expect(first < second && second < third)
        #expect(second.counter == first.counter + 1)
        #expect(third.wallMs == 2_000 && third.counter == 0)
    }

    /// A full counter carries into the next millisecond instead of wrapping to 0 and ordering before its predecessor.
    @Test func aFullCounterCarriesIntoTheNextMillisecond() throws {
        let full = HLCTimestamp(wallMs: 5_000, counter: .max, replica: laptop)
        var clock = HybridLogicalClock(replica: laptop, resumingAfter: full)
        let next = clock.now(physicalMs: 4_000)
        #expect(full < next && next.wallMs == 5_001 && next.counter == 0)
        var receiver = HybridLogicalClock(replica: server)
        try receiver.receive(HLCTimestamp(wallMs: 5_000, counter: .max, replica: laptop), physicalMs: 5_000)
        #expect(receiver.last > full)
    }

    @Test func staysMonotonicWhenTheLaptopClockStepsBack() {
        var clock = HybridLogicalClock(replica: laptop)
        var previous = clock.now(physicalMs: 10_000)
        for physical in stride(from: Int64(9_000), through: 0, by: -1_000) {
            let next = clock.now(physicalMs: physical)
            #expect(previous < next)
            previous = next
        }
    }

    @Test func receiveMovesPastTheRemoteTimestamp() throws {
        var clock = HybridLogicalClock(replica: laptop)
        _ = clock.now(physicalMs: 1_000)
        let remote = HLCTimestamp(wallMs: 60_000, counter: 5, replica: server)
        try clock.receive(remote, physicalMs: 1_500)
        let next = clock.now(physicalMs: 1_600)
        #expect(remote < next)
        #expect(next.wallMs == 60_000 && next.counter == 7)
    }

    @Test func refusesTimestampsBeyondTheSkewBoundAndDoesNotJump() {
        var clock = HybridLogicalClock(replica: server, maxForwardSkewMs: 300_000)
        let before = clock.now(physicalMs: 1_000_000)
        let future = HLCTimestamp(wallMs: 1_000_000 + 300_001, counter: 0, replica: laptop)
        #expect(throws: ModelError.self) { try clock.receive(future, physicalMs: 1_000_000) }
        #expect(clock.last == before)
        let honest = HLCTimestamp(wallMs: 1_000_000 + 299_000, counter: 0, replica: laptop)
        #expect(throws: Never.self) { try clock.receive(honest, physicalMs: 1_000_000) }
    }

    @Test func skewErrorNamesTheSkew() {
        let clock = HybridLogicalClock(replica: server)
        let future = HLCTimestamp(wallMs: 10_000_000, counter: 0, replica: laptop)
        #expect {
            try clock.check(future, physicalMs: 0)
        } throws: { error in
            (error as? ModelError)?.code == .clockSkew
                && (error as? ModelError)?.message.contains("10000 s ahead") == true
        }
    }

    @Test(arguments: ["", "12", "-5:0:lap", "1:x:lap", "1:0:", "1:0:bad id", "99999999999999999999:0:a"])
    func malformedTimestampsAreRefused(_ text: String) {
        #expect(throws: ModelError.self) { try HLCTimestamp(parsing: text) }
    }

    @Test func timestampTextRoundTrips() throws {
        let stamp = HLCTimestamp(wallMs: 1_764_000_000_000, counter: 3, replica: laptop)
        #expect(try HLCTimestamp(parsing: stamp.description) == stamp)
        #expect(stamp.description == "1764000000000:3:laptop")
    }

    @Test func equalWallAndCounterBreakTiesByReplica() {
        let a = HLCTimestamp(wallMs: 5, counter: 0, replica: ReplicaID(trusted: "a"))
        let b = HLCTimestamp(wallMs: 5, counter: 0, replica: ReplicaID(trusted: "b"))
        #expect(a < b && !(b < a))
    }
}
