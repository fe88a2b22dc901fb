import FieldSyncModel

/// A user account as stored.
public struct User: Sendable, Equatable, Codable {
    /// The row id.
    public let id: Int64
    /// The unique login name.
    public let name: String
    /// The role.
    public let role: Role
    /// The team (a manager sees their team's territories).
    public let team: String
    /// The territories the user works in.
    public let territories: [String]
    /// Whether the account is disabled (no login; tokens refused).
    public let disabled: Bool
    /// Increases whenever what the user may see changes, so their next pull restarts from the beginning.
    public let scopeEpoch: Int64

    /// Creates a user value.
    public init(
        id: Int64, name: String, role: Role, team: String, territories: [String], disabled: Bool, scopeEpoch: Int64
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.team = team
        self.territories = territories
        self.disabled = disabled
        self.scopeEpoch = scopeEpoch
    }
}

/// An authenticated caller: the user, the replica their token is bound to, and what they may see.
public struct Principal: Sendable {
    /// The user.
    public let user: User
    /// The replica the token was issued to.
    public let replica: ReplicaID
    /// The territories visible to the caller; `nil` means every territory (admin).
    public let visibleTerritories: Set<String>?
    /// The SHA-256 of the caller's token (for logout).
    public let tokenHash: String

    /// Creates a principal.
    public init(user: User, replica: ReplicaID, visibleTerritories: Set<String>?, tokenHash: String) {
        self.user = user
        self.replica = replica
        self.visibleTerritories = visibleTerritories
        self.tokenHash = tokenHash
    }

    /// Whether a record in `territory` is visible to the caller.
    public func canSee(territory: String) -> Bool {
        visibleTerritories?.contains(territory) ?? true
    }

    /// Whether the caller may move records between territories.
    public var canMoveRecords: Bool { user.role != .rep }
}
