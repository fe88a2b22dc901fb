import FieldSyncModel

/// Who sees which territories: the one visibility rule, used by push, pull, conflicts and history on every store.
///
/// A rep sees their own territories, a manager their team's (every member's territories and their own), an admin
/// every territory.
public enum Visibility {
    /// Whether `role`'s view depends on the territories of the rest of the team.
    public static func dependsOnTeam(_ role: Role) -> Bool { role == .manager }

    /// The territories `user` may see, given the territories of their team's members; `nil` means every territory.
    public static func territories(of user: User, teamTerritories: [String]) -> Set<String>? {
        switch user.role {
        case .admin: nil
        case .rep: Set(user.territories)
        case .manager: Set(teamTerritories + user.territories)
        }
    }
}
