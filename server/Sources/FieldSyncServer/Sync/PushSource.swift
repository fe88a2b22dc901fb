import FieldSyncModel

/// What `PushProcessor` reads from storage while it processes a push, inside the store's write transaction.
public protocol PushSource {
    /// The stored record, deleted or not.
    func record(_ id: RecordID) throws -> StoredRecord?
    /// The child records (contacts, visits, opportunities, complaints) of a customer.
    func children(of customer: RecordID) throws -> [StoredRecord]
    /// What write `id` changed, if the server has accepted it.
    func acceptedWrite(_ id: WriteID) throws -> WriteTarget?
    /// The last seq processed for `replica` (0 if none).
    func lastSeq(of replica: ReplicaID) throws -> UInt64
    /// The digest of the mutation processed under (replica, seq), if the server kept one.
    func digest(replica: ReplicaID, seq: UInt64) throws -> String?
    /// The stored refusal of a mutation processed earlier, if it was refused.
    func rejection(replica: ReplicaID, seq: UInt64) throws -> (code: ErrorCode, reason: String)?
    /// The territory `record` moved to when it last left one of `territories`, if it did.
    func movedTo(_ record: RecordID, from territories: Set<String>) throws -> String?
    /// The user named `name` with the territories they see, if such a user exists (a customer's owner, a visit's rep).
    func namedUser(_ name: String) throws -> NamedUser?
    /// The key acknowledgement receipts are signed with (`AcknowledgementReceipt`), if the database has one.
    func receiptKey() throws -> [UInt8]?
}

/// A user a write names as a customer's owner or a visit's rep, with the territories they see (`nil`: all).
public struct NamedUser: Sendable {
    /// The user.
    public let user: User
    /// What they see (`Visibility`).
    public let visible: Set<String>?

    /// Creates a named user.
    public init(user: User, teamTerritories: [String]) {
        self.user = user
        self.visible = Visibility.territories(of: user, teamTerritories: teamTerritories)
    }

    /// Whether they see `territory`.
    public func canSee(territory: String) -> Bool { visible?.contains(territory) ?? true }
}

/// Everything a processed push commits, in one transaction.
public struct ProcessedPush: Sendable {
    /// One result per mutation.
    public var results: [MutationResult] = []
    /// Records changed, in order of first change; the store gives each a new version.
    public var changed: [StoredRecord] = []
    /// Accepted writes for the audit history, with the record they belong to.
    public var history: [AcceptedWrite] = []
    /// Records whose territory changed: (record, from, to).
    public var moves: [(record: RecordID, from: String, to: String)] = []
    /// Refusals to remember, so a re-push gets the same answer.
    public var rejections: [(seq: UInt64, code: ErrorCode, reason: String)] = []
    /// The digest of every mutation processed now (applied or refused), so a different mutation under the same seq
    /// is told from a resend.
    public var digests: [(seq: UInt64, digest: String)] = []
    /// The replica's last processed seq after this push.
    public var lastSeq: UInt64 = 0
}

/// An accepted write for the audit history, waiting for the change sequence number its commit gives it.
public struct AcceptedWrite: Sendable {
    /// The record.
    public let record: RecordID
    /// The write.
    public let write: WriteID
    /// Its operation.
    public let op: String
    /// Its field.
    public let field: String?
    /// The value shown before.
    public let oldValue: Value?
    /// The value written.
    public let newValue: Value?
    /// The author.
    public let author: String
    /// The timestamp.
    public let hlc: HLCTimestamp
}
