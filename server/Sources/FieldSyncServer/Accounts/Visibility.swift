import FieldSyncModel

/// Who sees which territories: the one visibility rule, used by push, pull, conflicts and history on every store.
///
/// A rep sees their own territories, a manager their team's (every member's territories and their own), an admin
/// every territory.
public enum Visibility {
    /// The role whose view is the whole team's: a change to any member's territories changes it.
    public static let teamRole = Role.manager

    /// Whether `role`'s view depends on the territories of the rest of the team.
    public static func dependsOnTeam(_ role: Role) -> Bool { role == teamRole }

    /// The users whose work `user` reviews (the console's team page): for an admin every enabled non-admin, for a
    /// manager their team's enabled members, for a rep themselves; by name.
    public static func members(of user: User, among users: [User]) -> [User] {
        users.filter { member in
            switch user.role {
            case .admin: member.role != .admin && !member.disabled
            case .manager: member.team == user.team && !member.disabled
            case .rep: member.id == user.id
            }
        }.sorted { $0.name < $1.name }
    }

    /// The key a cursor names a view by: 16 hex digits of the SHA-256 of its sorted territories. The store keeps each
    /// view under its key (`SyncStore.rememberView`), so a pull can tell what a laptop's old view held.
    public static func key(of territories: Set<String>) -> String {
        String(Crypto.hex(Crypto.sha256(Array(TerritoryList.encode(territories.sorted()).utf8))).prefix(16))
    }

    /// The territories `user` may see, given the territories of their team's members; `nil` means every territory.
    public static func territories(of user: User, teamTerritories: [String]) -> Set<String>? {
        switch user.role {
        case .admin: nil
        case .rep: Set(user.territories)
        case .manager: Set(teamTerritories + user.territories)
        }
    }
}
