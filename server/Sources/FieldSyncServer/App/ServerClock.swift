import FieldSyncModel

/// The server's hybrid logical clock, shared by every request.
actor ServerClock {
    private var clock: HybridLogicalClock
    private let physical: @Sendable () -> Int64

    /// The replica id the server stamps its timestamps with.
    static let replica = ReplicaID(trusted: "server")

    init(resumingAfter last: HLCTimestamp?, physical: @escaping @Sendable () -> Int64) {
        self.clock = HybridLogicalClock(replica: Self.replica, resumingAfter: last)
        self.physical = physical
    }

    /// A fresh timestamp, after everything received.
    func now() -> HLCTimestamp { clock.now(physicalMs: physical()) }

    /// Moves past an accepted timestamp (accepted ones are within the skew bound, so this never jumps far).
    func receive(_ remote: HLCTimestamp) {
        try? clock.receive(remote, physicalMs: physical())
    }
}
