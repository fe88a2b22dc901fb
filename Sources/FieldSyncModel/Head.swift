/// One current value of a field: a write that no later write has superseded.
public struct Head: Hashable, Sendable, Codable {
    /// The write that set the value.
    public let id: WriteID
    /// The value written.
    public let value: Value
    /// When it was written.
    public let hlc: HLCTimestamp
    /// The user who wrote it (stamped by the server from the authenticated user, never taken from a request).
    public let author: String

    /// Creates a head.
    public init(id: WriteID, value: Value, hlc: HLCTimestamp, author: String) {
        self.id = id
        self.value = value
        self.hlc = hlc
        self.author = author
    }
}
