/// A hybrid logical clock: timestamps that follow wall time but never go backwards and always follow what was seen.
///
/// Time is injected: every call takes the caller's physical time in milliseconds, so tests and the simulator control
/// it. A laptop whose clock steps back keeps issuing increasing timestamps (the counter advances). A remote timestamp
/// further in the future than `maxForwardSkewMs` is refused and the clock does not move, so one laptop with a wrong
/// clock cannot drag everybody's time forward or win every conflict.
public struct HybridLogicalClock: Sendable {
    /// The replica stamped into every timestamp this clock makes.
    public let replica: ReplicaID
    /// How far ahead of local physical time a received timestamp may be (default 5 minutes).
    public let maxForwardSkewMs: Int64
    /// The latest timestamp issued or received.
    public private(set) var last: HLCTimestamp

    /// The default bound on forward skew: five minutes.
    public static let defaultMaxForwardSkewMs: Int64 = 5 * 60 * 1000

    /// Creates a clock for `replica`, optionally resuming after a timestamp persisted earlier.
    public init(
        replica: ReplicaID, maxForwardSkewMs: Int64 = defaultMaxForwardSkewMs, resumingAfter: HLCTimestamp? = nil
    ) {
        self.replica = replica
        self.maxForwardSkewMs = maxForwardSkewMs
        self.last = resumingAfter ?? HLCTimestamp(wallMs: 0, counter: 0, replica: replica)
    }

    /// Issues a timestamp for a local event at physical time `physicalMs`.
    public mutating func now(physicalMs: Int64) -> HLCTimestamp {
        let wall = max(last.wallMs, max(physicalMs, 0))
        last = stamp(wall, after: wall == last.wallMs ? last.counter : nil)
        return last
    }

    /// The stamp at `wall` one step after `counter` (the first at `wall` when `nil`). A full counter carries into the
    /// next millisecond, so a stamp never wraps around to order before the one it follows.
    private func stamp(_ wall: Int64, after counter: UInt32?) -> HLCTimestamp {
        guard let counter else { return HLCTimestamp(wallMs: wall, counter: 0, replica: replica) }
        guard counter < .max else { return HLCTimestamp(wallMs: wall + 1, counter: 0, replica: replica) }
        return HLCTimestamp(wallMs: wall, counter: counter + 1, replica: replica)
    }

    /// Checks that `remote` is not further ahead of `physicalMs` than the bound allows; the clock is not changed.
    public func check(_ remote: HLCTimestamp, physicalMs: Int64) throws(ModelError) {
        let skew = remote.wallMs - physicalMs
        guard skew <= maxForwardSkewMs else {
            throw ModelError(
                .clockSkew,
                "Timestamp \(remote) is \(skew / 1000) s ahead of the server's clock (the limit is"
                    + " \(maxForwardSkewMs / 1000) s): set this laptop's clock to the correct time and sync again."
            )
        }
    }

    /// Merges a timestamp received from elsewhere, so every later local timestamp orders after it.
    public mutating func receive(_ remote: HLCTimestamp, physicalMs: Int64) throws(ModelError) {
        try check(remote, physicalMs: physicalMs)
        let wall = max(last.wallMs, remote.wallMs, max(physicalMs, 0))
        let counter: UInt32?
        if wall == last.wallMs && wall == remote.wallMs {
            counter = max(last.counter, remote.counter)
        } else if wall == last.wallMs {
            counter = last.counter
        } else if wall == remote.wallMs {
            counter = remote.counter
        } else {
            counter = nil
        }
        last = stamp(wall, after: counter)
    }
}
