/// A pull position: the caller's view epoch and the last change sequence number delivered.
///
/// On the wire it is opaque text `EPOCH.SEQ`: clients store it as given and never read it (the change number they
/// need travels beside it, as `PullResponse.changeSeq`). When the caller's view changes (new territories), the epoch
/// changes and the server restarts the pass from the beginning with `reset: true`.
public struct Cursor: Sendable, Equatable, CustomStringConvertible {
    /// The user's scope epoch the cursor belongs to.
    public let epoch: Int64
    /// The last change sequence number delivered.
    public let seq: Int64

    /// The cursor of a fresh client.
    public static let start = Cursor(epoch: 0, seq: 0)

    /// Creates a cursor.
    public init(epoch: Int64, seq: Int64) {
        self.epoch = epoch
        self.seq = seq
    }

    /// Parses `EPOCH.SEQ` (an empty text is the start); `nil` when malformed.
    public init?(parsing text: String) {
        if text.isEmpty || text == "0" {
            self = .start
            return
        }
        let parts = text.split(separator: ".")
        guard parts.count == 2, let epoch = Int64(parts[0]), let seq = Int64(parts[1]), epoch >= 0, seq >= 0 else {
            return nil
        }
        self.init(epoch: epoch, seq: seq)
    }

    public var description: String { "\(epoch).\(seq)" }
}
