/// A hybrid logical clock timestamp: wall-clock milliseconds, a counter, and the replica that made it.
///
/// Timestamps are totally ordered by (wall, counter, replica), so two replicas that stamp the same millisecond with
/// the same counter still order deterministically. On the wire a timestamp is the text `wall:counter:replica`,
/// e.g. `1764000000000:0:lap-7f3a`.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// Milliseconds since 1970-01-01T00:00:00Z, never negative.
    public let wallMs: Int64
    /// Orders events within the same millisecond.
    public let counter: UInt32
    /// The replica that made the timestamp.
    public let replica: ReplicaID

    /// Creates a timestamp from its parts.
    public init(wallMs: Int64, counter: UInt32, replica: ReplicaID) {
        self.wallMs = wallMs
        self.counter = counter
        self.replica = replica
    }

    /// Parses the `wall:counter:replica` form; a negative or malformed wall time is refused.
    public init(parsing text: String) throws(ModelError) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let wall = Int64(parts[0]), wall >= 0, let counter = UInt32(parts[1]) else {
            throw ModelError(
                .invalidMutation,
                "Timestamp '\(text.prefix(80))' is not valid: expected 'wallMs:counter:replica' with wallMs ≥ 0."
            )
        }
        self.init(wallMs: wall, counter: counter, replica: try ReplicaID(String(parts[2])))
    }

    public var description: String { "\(wallMs):\(counter):\(replica.rawValue)" }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        if lhs.wallMs != rhs.wallMs { return lhs.wallMs < rhs.wallMs }
        if lhs.counter != rhs.counter { return lhs.counter < rhs.counter }
        return lhs.replica < rhs.replica
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
