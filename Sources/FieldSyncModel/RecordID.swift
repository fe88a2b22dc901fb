/// The identity of one record (a customer card, a visit, …), chosen by the replica that creates it.
public struct RecordID: Identifier {
    public static let kindName = "Record id"
    public let rawValue: String
    public init(trusted rawValue: String) { self.rawValue = rawValue }
}
