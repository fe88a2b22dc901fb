/// A delete of a record, with the heads its writer had seen.
///
/// A record is deleted only while every one of its live heads (field heads, tag adds, notes) is among the heads some
/// live delete had seen. An edit the deleter had not seen keeps the record alive and shows as a delete conflict.
public struct DeleteMarker: Hashable, Sendable, Codable {
    /// The delete write.
    public let id: WriteID
    /// When it was written.
    public let hlc: HLCTimestamp
    /// Who deleted.
    public let author: String
    /// The heads the deleter had seen.
    public let seen: [WriteID]

    /// Creates a delete marker.
    public init(id: WriteID, hlc: HLCTimestamp, author: String, seen: [WriteID]) {
        self.id = id
        self.hlc = hlc
        self.author = author
        self.seen = seen
    }
}
