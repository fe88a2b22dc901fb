/// The state of one scalar field: its heads, and the ids of writes that later writes have superseded.
///
/// A write removes the heads named in its bases and becomes a head itself unless a write already applied had seen
/// it. The heads are therefore always "every write applied, minus every write named as a base", a pure function of
/// the set of writes, whatever the order or repetition of their arrival.
///
/// `superseded` is needed only where writes can arrive before writes they saw (peer-to-peer delivery, the property
/// tests). The server receives writes in causal order (a base must be a write it already has), so it stores heads
/// alone and forgets `superseded` (`RecordState.forgetSuperseded()`).
public struct FieldState: Hashable, Sendable, Codable {
    /// The current heads, ordered by write id. One head: the field is clean; several: it is in conflict.
    public private(set) var heads: [Head]
    /// Ids named as bases by writes applied here.
    public private(set) var superseded: Set<WriteID>

    /// Creates a field state from stored heads.
    public init(heads: [Head] = [], superseded: Set<WriteID> = []) {
        self.heads = heads.sorted { $0.id < $1.id }
        self.superseded = superseded
    }

    /// Applies a write of `head` that had seen `bases`; returns whether the heads changed.
    @discardableResult
    public mutating func apply(_ head: Head, bases: [WriteID]) -> Bool {
        let before = heads.count
        if !bases.isEmpty {
            superseded.formUnion(bases)
            heads.removeAll { superseded.contains($0.id) }
        }
        // A write already here still supersedes its bases: replaying a write over a state that forgot what it
        // superseded (the server's) puts a replayed base back only until its successor is replayed after it.
        guard !superseded.contains(head.id), !heads.contains(where: { $0.id == head.id }) else {
            return heads.count != before
        }
        let position = heads.firstIndex { head.id < $0.id } ?? heads.endIndex
        heads.insert(head, at: position)
        return true
    }

    /// Whether concurrent writes left heads with different values. Heads that all hold one value agree (two reps who
    /// typed the same phone, a merged duplicate's equal field): they stay stored, and the next write supersedes them
    /// all, but there is nothing to review.
    public var isConflict: Bool { heads.count > 1 && heads.contains { $0.value != heads[0].value } }

    /// The head shown: highest rank under `rule`, then latest HLC, then highest write id.
    public func winner(_ rule: WinnerRule) -> Head? {
        heads.max { lhs, rhs in
            let (lr, rr) = (rule.rank(of: lhs.value), rule.rank(of: rhs.value))
            if lr != rr { return lr < rr }
            if lhs.hlc != rhs.hlc { return lhs.hlc < rhs.hlc }
            return lhs.id < rhs.id
        }
    }

    /// The value shown under `rule` (`.null` for a field never written).
    public func value(_ rule: WinnerRule) -> Value { winner(rule)?.value ?? .null }

    private enum CodingKeys: String, CodingKey { case heads, superseded }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            heads: try container.decode([Head].self, forKey: .heads),
            superseded: try container.decodeIfPresent(Set<WriteID>.self, forKey: .superseded) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(heads, forKey: .heads)
        if !superseded.isEmpty { try container.encode(superseded.sorted(), forKey: .superseded) }
    }
}
