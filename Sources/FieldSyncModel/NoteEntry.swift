/// One entry of a record's append-only notes log.
public struct NoteEntry: Hashable, Sendable, Codable {
    /// The write that appended it.
    public let id: WriteID
    /// When it was written.
    public let hlc: HLCTimestamp
    /// Who wrote it.
    public let author: String
    /// The text.
    public let text: String

    /// Creates a note entry.
    public init(id: WriteID, hlc: HLCTimestamp, author: String, text: String) {
        self.id = id
        self.hlc = hlc
        self.author = author
        self.text = text
    }
}
