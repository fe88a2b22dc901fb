/// One user action: an ordered list of writes applied atomically, numbered per replica.
///
/// Mutations are idempotent by (replica, seq): applying one twice changes nothing. Every write of a mutation carries
/// the mutation's timestamp; its id is (replica, seq, position).
public struct Mutation: Hashable, Sendable, Codable {
    /// The replica that made the mutation.
    public let replica: ReplicaID
    /// The mutation's number on that replica: 1, 2, 3, … without gaps.
    public let seq: UInt64
    /// When it was made, on the replica's hybrid logical clock.
    public let hlc: HLCTimestamp
    /// The writes, applied in order.
    public let writes: [Write]

    /// Creates a mutation.
    public init(replica: ReplicaID, seq: UInt64, hlc: HLCTimestamp, writes: [Write]) {
        self.replica = replica
        self.seq = seq
        self.hlc = hlc
        self.writes = writes
    }

    /// The key that makes the mutation idempotent.
    public var key: MutationKey { MutationKey(replica: replica, seq: seq) }

    /// The id of the write at `index`.
    public func writeID(_ index: Int) -> WriteID { WriteID(replica: replica, seq: seq, index: UInt32(index)) }

    /// The records the mutation touches, in first-touched order (a merge touches the record kept as well).
    public var records: [RecordID] {
        var seen = Set<RecordID>()
        return writes.flatMap { write -> [RecordID] in
            if case .merge(let record, let into) = write { return [record, into] }
            return [write.record]
        }.filter { seen.insert($0).inserted }
    }
}

/// The identity of a mutation: (replica, seq).
public struct MutationKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The replica that made it.
    public let replica: ReplicaID
    /// Its number on that replica.
    public let seq: UInt64

    /// Creates a key.
    public init(replica: ReplicaID, seq: UInt64) {
        self.replica = replica
        self.seq = seq
    }

    public var description: String { "\(replica.rawValue)#\(seq)" }

    public static func < (lhs: MutationKey, rhs: MutationKey) -> Bool {
        (lhs.replica, lhs.seq) < (rhs.replica, rhs.seq)
    }
}
