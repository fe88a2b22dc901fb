import FieldSyncModel

/// An authenticated caller: the user, the replica their token is bound to, and what they may see.
public struct Principal: Sendable {
    /// The user.
    public let user: User
    /// The replica the token was issued to, or the one of the user's replicas a push is for.
    public private(set) var replica: ReplicaID
    /// The territories visible to the caller; `nil` means every territory (admin).
    public let visibleTerritories: Set<String>?
    /// The SHA-256 of the caller's token (for logout).
    public let tokenHash: String

    /// Creates a principal whose view `Visibility` derives from the user and their team's territories.
    public init(user: User, replica: ReplicaID, teamTerritories: [String], tokenHash: String) {
        self.user = user
        self.replica = replica
        self.visibleTerritories = Visibility.territories(of: user, teamTerritories: teamTerritories)
        self.tokenHash = tokenHash
    }

    /// The same caller pushing the mutations of another of their replicas (a laptop that took a new replica id sends
    /// what it had queued under the old one with the same token).
    public func pushing(for replica: ReplicaID) -> Principal {
        var copy = self
        copy.replica = replica
        return copy
    }

    /// Whether a record in `territory` is visible to the caller.
    public func canSee(territory: String) -> Bool {
        visibleTerritories?.contains(territory) ?? true
    }

    /// Whether the caller may move records between territories.
    public var canMoveRecords: Bool { user.role != .rep }
}
