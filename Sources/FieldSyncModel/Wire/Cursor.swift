/// A pull position: the server's generation, the caller's view epoch and the last change sequence number delivered.
///
/// On the wire it is opaque text `EPOCH.SEQ.GENERATION` (`EPOCH.SEQ` from servers before generations): clients store
/// it as given and never read it (the change number they need travels beside it, as `PullResponse.changeSeq`). When
/// the caller's view changes (new territories), the epoch changes; when the server is restored from a backup, its
/// generation changes; either way, and for a cursor ahead of the server's change number, the server restarts the
/// pass from the beginning with `reset: true`.
public struct Cursor: Sendable, Equatable, CustomStringConvertible {
    /// The user's scope epoch the cursor belongs to.
    public let epoch: Int64
    /// The last change sequence number delivered.
    public let seq: Int64
    /// The server generation that issued the cursor (`nil` for a cursor from before generations, or a fresh one).
    public let generation: String?

    /// The cursor of a fresh client.
    public static let start = Cursor(epoch: 0, seq: 0)

    /// Creates a cursor.
    public init(epoch: Int64, seq: Int64, generation: String? = nil) {
        self.epoch = epoch
        self.seq = seq
        self.generation = generation
    }

    /// Parses `EPOCH.SEQ[.GENERATION]` (an empty text, and the `0` of early clients, is the start); `nil` when
    /// malformed: each number is 1–18 ASCII digits, so it fits and no sign or space slips through.
    public init?(parsing text: String) {
        if text.isEmpty || text == "0" {
            self = .start
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        func number(_ part: Substring) -> Int64? {
            guard (1...18).contains(part.utf8.count), part.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return nil
            }
            return Int64(part)
        }
        guard parts.count == 2 || parts.count == 3, let epoch = number(parts[0]), let seq = number(parts[1]) else {
            return nil
        }
        let generation = parts.count == 3 ? String(parts[2]) : nil
        if let generation,
            generation.isEmpty || generation.count > 32
                || !generation.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
        {
            return nil
        }
        self.init(epoch: epoch, seq: seq, generation: generation)
    }

    public var description: String { "\(epoch).\(seq)" + (generation.map { ".\($0)" } ?? "") }
}
