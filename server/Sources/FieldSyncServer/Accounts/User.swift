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
    /// Increases whenever what the user may see changes; a cursor of an older server (without a view key) of an
    /// earlier epoch restarts the pass from the beginning.
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
