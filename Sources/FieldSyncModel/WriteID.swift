/// The identity of one write: the mutation that made it (replica, seq) and its position in that mutation.
///
/// On the wire a write id is the text `replica:seq:index`, e.g. `lap-7f3a:12:0`.
public struct WriteID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The replica whose mutation made the write.
    public let replica: ReplicaID
    /// The mutation's sequence number on that replica (starting at 1).
    public let seq: UInt64
    /// The write's position in the mutation (starting at 0).
    public let index: UInt32

    /// Creates a write id from its parts.
    public init(replica: ReplicaID, seq: UInt64, index: UInt32) {
        self.replica = replica
        self.seq = seq
        self.index = index
    }

    /// Parses the `replica:seq:index` form.
    public init(parsing text: String) throws(ModelError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let seq = UInt64(parts[1]), seq > 0, let index = UInt32(parts[2]) else {
            throw ModelError(
                .invalidIdentifier, "Write id '\(text.prefix(80))' is not valid: expected 'replica:seq:index'.")
        }
        self.init(replica: try ReplicaID(String(parts[0])), seq: seq, index: index)
    }

    public var description: String { "\(replica.rawValue):\(seq):\(index)" }

    public static func < (lhs: WriteID, rhs: WriteID) -> Bool {
        if lhs.replica != rhs.replica { return lhs.replica < rhs.replica }
        if lhs.seq != rhs.seq { return lhs.seq < rhs.seq }
        return lhs.index < rhs.index
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
