/// A pull position: the server's generation, the caller's view (its epoch and the key of its territories) and the last
/// change sequence number delivered.
///
/// On the wire it is opaque text `EPOCH.SEQ.GENERATION.VIEW`, or `EPOCH.SEQ.GENERATION.VIEW.BASE.FROM` while a pass
/// catches up with a changed view (`EPOCH.SEQ[.GENERATION]` from servers before views or generations): clients store
/// it as given and never read it (the change number they need travels beside it, as `PullResponse.changeSeq`). When
/// the caller's territories change, the server sends what the change brings (the records of the territories added,
/// removals for those taken away) and goes on from `BASE`, where the old view's cursor stood; when the server is
/// restored from a backup (its generation changes), for a cursor ahead of the server's change number, and for a view
/// it cannot tell, it restarts the pass from the beginning with `reset: true`.
public struct Cursor: Sendable, Equatable, CustomStringConvertible {
    /// The user's scope epoch the cursor belongs to.
    public let epoch: Int64
    /// The last change sequence number delivered (during a catch-up pass: how far that pass has come).
    public let seq: Int64
    /// The server generation that issued the cursor (`nil` for a cursor from before generations, or a fresh one).
    public let generation: String?
    /// The key of the territories the cursor's pages were read for (`nil`: every territory, or an older server).
    public let view: String?
    /// A catch-up pass under way after the view changed: where the old view's cursor stood, and that view's key.
    public let catchUp: CatchUp?

    /// Where a catch-up pass started: the change number the old view had reached, and the old view's key.
    public struct CatchUp: Sendable, Equatable {
        /// The change number the old view's cursor stood at.
        public let base: Int64
        /// The old view's key.
        public let from: String

        /// Creates a catch-up position.
        public init(base: Int64, from: String) {
            self.base = base
            self.from = from
        }
    }

    /// The cursor of a fresh client.
    public static let start = Cursor(epoch: 0, seq: 0)

    /// Creates a cursor.
    public init(epoch: Int64, seq: Int64, generation: String? = nil, view: String? = nil, catchUp: CatchUp? = nil) {
        self.epoch = epoch
        self.seq = seq
        self.generation = generation
        self.view = view
        self.catchUp = catchUp
    }

    /// Parses `EPOCH.SEQ[.GENERATION[.VIEW[.BASE.FROM]]]` (an empty text, and the `0` of early clients, is the
    /// start); `nil` when malformed: each number is 1–18 ASCII digits, so it fits and no sign or space slips through,
    /// and each key is 1–32 lowercase letters or digits.
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
        func key(_ index: Int) -> String?? {
            guard index < parts.count else { return .some(nil) }
            let part = parts[index]
            guard (1...32).contains(part.utf8.count),
                part.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
            else { return nil }
            return String(part)
        }
        guard [2, 3, 4, 6].contains(parts.count), let epoch = number(parts[0]), let seq = number(parts[1]),
            let generation = key(2), let view = key(3), let from = key(5)
        else { return nil }
        var catchUp: CatchUp?
        if let from {
            guard let base = number(parts[4]) else { return nil }
            catchUp = CatchUp(base: base, from: from)
        }
        self.init(epoch: epoch, seq: seq, generation: generation, view: view, catchUp: catchUp)
    }

    public var description: String {
        var text = "\(epoch).\(seq)"
        if let generation { text += ".\(generation)" }
        if let view { text += ".\(view)" }
        if let catchUp { text += ".\(catchUp.base).\(catchUp.from)" }
        return text
    }
}
