/// The identity of one client install (a laptop) or of the server itself.
public struct ReplicaID: Identifier {
    public static let kindName = "Replica id"
    public let rawValue: String
    public init(trusted rawValue: String) { self.rawValue = rawValue }
}
