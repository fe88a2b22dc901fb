import FieldSyncModel

/// Who this laptop is logged in as, stored in the local database (the token itself lives in a 0600 file).
public struct SessionInfo: Codable, Sendable, Equatable {
    /// The server's base URL.
    public var server: String
    /// The user name.
    public var user: String
    /// The user's role.
    public var role: Role
    /// The user's team.
    public var team: String
    /// The user's territories.
    public var territories: [String]
    /// A PEM file of certificate authorities to trust for this server besides the system's (a team's private CA),
    /// from `fieldsync login --ca-file`.
    public var caFile: String?

    /// Creates session information.
    public init(
        server: String, user: String, role: Role, team: String, territories: [String], caFile: String? = nil
    ) {
        self.server = server
        self.user = user
        self.role = role
        self.team = team
        self.territories = territories
        self.caFile = caFile
    }
}
