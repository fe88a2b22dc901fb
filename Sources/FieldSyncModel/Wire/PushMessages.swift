/// `POST /v1/push`: a replica's pending mutations, oldest first.
public struct PushRequest: Codable, Sendable {
    /// The mutations, in seq order, all from one replica of the token's user.
    public let mutations: [Mutation]
    /// For mutations re-offered to a server restored from a backup: the receipt the server gave each when it first
    /// accepted it (`MutationResult.receipt`), by seq as decimal text. Omitted when there are none.
    public let receipts: [String: String]?

    /// Creates a push request.
    public init(mutations: [Mutation], receipts: [String: String]? = nil) {
        self.mutations = mutations
        self.receipts = receipts?.isEmpty == true ? nil : receipts
    }
}

/// The outcome of one pushed mutation.
public struct MutationResult: Codable, Sendable, Equatable {
    /// What the server did with the mutation.
    public enum Status: String, Codable, Sendable {
        /// Merged and committed now.
        case applied
        /// Committed by an earlier push; nothing changed this time.
        case duplicate
        /// Refused for good (`code` and `reason` say why); later mutations were still processed.
        case rejected
        /// Not processed: after a gap in seq (`seq_gap`: push again from the seq `reason` names), or under a seq
        /// another install of this replica used (`replica_cloned`: take a new replica id and push again).
        case retry
    }

    /// The mutation's seq.
    public let seq: UInt64
    /// What happened.
    public let status: Status
    /// For `rejected` and `retry`: a stable code.
    public let code: ErrorCode?
    /// For `rejected` and `retry`: what happened and what to do, for the user.
    public let reason: String?
    /// For `applied` and `duplicate`: the server's signed word that it accepted this mutation from this user. The
    /// laptop keeps it with the mutation and sends it along if it ever re-offers the mutation to a restored server.
    public let receipt: String?

    /// Creates a result.
    public init(seq: UInt64, status: Status, code: ErrorCode? = nil, reason: String? = nil, receipt: String? = nil) {
        self.seq = seq
        self.status = status
        self.code = code
        self.reason = reason
        self.receipt = receipt
    }

    /// Whether the server has the mutation for good (applied now or before): it may leave the pending queue.
    public var isAcknowledged: Bool { status == .applied || status == .duplicate }
}

/// The answer to a push: one result per mutation, in order, and the server's clock.
public struct PushResponse: Codable, Sendable {
    /// One result per pushed mutation.
    public let results: [MutationResult]
    /// The server's clock after the push; the client advances its HLC from it.
    public let hlc: HLCTimestamp
    /// How far the laptop's wall clock reads ahead of the server's (negative: behind), from the `FieldSync-Clock`
    /// header the request carried; `nil` without it.
    public let clockOffsetMs: Int64?
    /// The change sequence number after this push: a pull whose cursor reaches it has brought every acknowledged
    /// mutation of this push, so the client can stop replaying them over its confirmed state.
    public let changeSeq: Int64
    /// The last seq the server holds of the pushed replica: below what the laptop had acknowledged, the server was
    /// restored from a backup and the laptop re-offers the rest.
    public let replicaSeq: UInt64?
    /// The server's identity: it changes when the server is restored from a backup.
    public let generation: String?

    /// Creates a push response.
    public init(
        results: [MutationResult], hlc: HLCTimestamp, clockOffsetMs: Int64?, changeSeq: Int64,
        replicaSeq: UInt64? = nil, generation: String? = nil
    ) {
        self.results = results
        self.hlc = hlc
        self.clockOffsetMs = clockOffsetMs
        self.changeSeq = changeSeq
        self.replicaSeq = replicaSeq
        self.generation = generation
    }
}
