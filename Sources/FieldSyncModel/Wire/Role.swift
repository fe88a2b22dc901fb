/// What a user may see and do: a rep their territories, a manager their team's, an admin everything.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// A field sales rep: reads and writes the records of their territories.
    case rep
    /// A sales manager: reads and writes their team's records, moves records between territories.
    case manager
    /// An administrator: everything.
    case admin
}
