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

    /// The territories `user` may see, given the territories of their team's members; `nil` means every territory.
    public static func territories(of user: User, teamTerritories: [String]) -> Set<String>? {
        switch user.role {
        case .admin: nil
        case .rep: Set(user.territories)
        case .manager: Set(teamTerritories + user.territories)
        }
    }
}
