import FieldSyncModel

/// The server's rules for a pull: which pass the caller is on, what to read, where a page ends (`more`), which records
/// the caller must drop, and the next cursor. Pure: a store reads the rows `query` names from one snapshot and hands
/// them to `page(_:)`, so every store pages alike.
///
/// A cursor names the view (territories) its pages were read for. When the caller's view has changed since, the
/// pass catches up instead of starting over: the records of the territories added (as they are now), removals for
/// the records of those taken away, and every change after the old cursor in the rest, all in one stream in change
/// order; so a territory change costs the change. A fresh laptop, a cursor of an older server or another generation,
/// and a view the server cannot tell (it was never stored, or the view changed again during a catch-up) start the
/// pass from the beginning with `reset: true`.
public struct PullPlanner: Sendable {
    /// What the store reads for this page.
    public let query: PullQuery
    /// Whether this page restarts the caller's pass (a fresh laptop, or a view the server cannot catch up).
    public let reset: Bool
    /// The key of the caller's view, which the next cursor carries (`nil`: every territory).
    public let viewKey: String?
    private let epoch: Int64
    private let cursor: Cursor
    private let limit: Int
    private let visible: Set<String>?
    private let catchUp: Cursor.CatchUp?
    private let maxBytes: Int

    /// The most record-state bytes one page carries (4 MiB) besides its first record: a page ends at `limit` records
    /// or at these bytes, whichever comes first, and a record is never split (one is at most `Schema.maxRecordBytes`).
    public static let defaultMaxPageBytes = 4 << 20

    /// The key of the earlier view whose territories a pull for `principal` at `cursor` needs (to catch up with a
    /// changed view), or `nil` when it needs none.
    public static func earlierView(of principal: Principal, at cursor: Cursor) -> String? {
        let key = principal.visibleTerritories.map(Visibility.key)
        guard let current = key, let view = cursor.view else { return nil }
        if let catchUp = cursor.catchUp { return view == current ? catchUp.from : nil }
        return view == current ? nil : view
    }

    /// Plans one page of at most `limit` items for `principal`, who sent `cursor`; `restart` starts the pass again
    /// whatever the cursor says (see `mustRestart(after:)`). `earlier` holds the territories of the view
    /// `earlierView(of:at:)` named, when the store has them.
    public init(
        principal: Principal, cursor: Cursor, limit: Int, restart: Bool = false, earlier: Set<String>? = nil,
        maxBytes: Int = PullPlanner.defaultMaxPageBytes
    ) {
        self.maxBytes = maxBytes
        epoch = principal.user.scopeEpoch
        self.cursor = cursor
        self.limit = limit
        visible = principal.visibleTerritories
        viewKey = visible.map(Visibility.key)
        let territories = visible.map { $0.sorted() }
        var catchUp: Cursor.CatchUp?
        if restart {
            reset = true
        } else if let view = cursor.view, let viewKey {
            if view == viewKey {
                reset = cursor.catchUp != nil && earlier == nil
                catchUp = reset ? nil : cursor.catchUp
            } else {
                reset = cursor.catchUp != nil || earlier == nil
                catchUp = reset ? nil : Cursor.CatchUp(base: cursor.seq, from: view)
            }
        } else {
            reset = cursor.epoch != epoch || (cursor.view != nil && viewKey == nil)
        }
        self.catchUp = catchUp
        let since = reset ? 0 : (catchUp != nil && cursor.catchUp == nil ? 0 : cursor.seq)
        let earlier = earlier ?? []
        let now = visible ?? []
        query = PullQuery(
            since: since, territories: territories, limit: limit + 1,
            catchUp: catchUp.map {
                PullQuery.CatchUp(
                    base: $0.base, added: now.subtracting(earlier).sorted(), removed: earlier.subtracting(now).sorted())
            })
    }

    /// Whether the rows show the cursor is not this server's: issued by another generation (the server was restored
    /// from a backup since), or ahead of its change number. Paging on from there would skip every change made again
    /// after the restore, so the pass starts over.
    public func mustRestart(after rows: PullRows) -> Bool {
        guard !reset else { return false }
        if let issuer = cursor.generation, issuer != rows.generation { return true }
        return max(cursor.seq, catchUp?.base ?? 0) > rows.changeSeq
    }

    /// The page from what the store read: changes in change order, then the cursor after the last one sent.
    public func page(_ rows: PullRows) -> PullPage {
        // Records before moves at the same number: a move within the caller's view sends nothing, and a page cut
        // between the two must not leave the record behind.
        var items = rows.changed.map { (seq: $0.seq, order: 0, changed: Optional($0), moved: RecordID?.none) }
        for move in rows.moved {
            let movedOut = visible.map { !$0.contains(move.territory) } ?? false
            items.append((move.seq, 1, nil, movedOut ? move.record : nil))
        }
        items.sort { ($0.seq, $0.order) < ($1.seq, $1.order) }
        var end = min(limit, items.count)
        var bytes = 0
        for (position, item) in items.prefix(limit).enumerated() {
            bytes += item.changed?.state.count ?? 0
            if bytes > maxBytes && position > 0 {
                end = position
                break
            }
        }
        let more = items.count > end
        let page = items.prefix(end)
        var records: [EncodedSnapshot] = []
        var removed: [RecordID] = []
        for item in page {
            if let moved = item.moved { removed.append(moved) }
            guard let row = item.changed else { continue }
            if row.deleted {
                removed.append(row.id)
            } else {
                records.append(
                    EncodedSnapshot(id: row.id, territory: row.territory, version: row.seq, state: row.state))
            }
        }
        // A catch-up pass goes on until its last page; then the cursor stands where an unchanged view's would.
        let next = more ? page.last!.seq : max(rows.changeSeq, reset ? 0 : max(cursor.seq, catchUp?.base ?? 0))
        let cursor = Cursor(
            epoch: epoch, seq: next, generation: rows.generation, view: viewKey, catchUp: more ? catchUp : nil)
        return PullPage(
            records: records, removed: removed, cursor: cursor, more: more, reset: reset, generation: rows.generation)
    }
}

/// What a store reads for one pull page, all from one snapshot.
public struct PullQuery: Sendable, Equatable {
    /// Changes numbered above this (0: a pass from the beginning).
    public let since: Int64
    /// The territories to read, sorted; `nil` means every territory, an empty list none (the counter is still read).
    public let territories: [String]?
    /// At most this many changed records, and at most this many moves, in change order.
    public let limit: Int
    /// A pass catching up with a changed view: `since` is how far the pass has come, from 0.
    public let catchUp: CatchUp?

    /// What a catch-up pass reads besides the changes after `base` in `territories`: the records of the territories
    /// `added` with their number at or below `base` (not deleted ones: the laptop never held them), and every record
    /// of the territories `removed`, as a removal (`ChangedRecordRow.deleted` set, no state).
    public struct CatchUp: Sendable, Equatable {
        /// The change number the old view's cursor stood at.
        public let base: Int64
        /// The territories in the view now and not before, sorted.
        public let added: [String]
        /// The territories in the view before and not now, sorted.
        public let removed: [String]

        /// Creates the catch-up part of a query.
        public init(base: Int64, added: [String], removed: [String]) {
            self.base = base
            self.added = added
            self.removed = removed
        }
    }

    /// Creates a query.
    public init(since: Int64, territories: [String]?, limit: Int, catchUp: CatchUp? = nil) {
        self.since = since
        self.territories = territories
        self.limit = limit
        self.catchUp = catchUp
    }

    /// Whether deleted records are read (as removals); a pass from the beginning has nothing to remove.
    public var includesDeleted: Bool { since > 0 || catchUp != nil }
    /// Whether moves are read: only a restricted view past the beginning loses records by them.
    public var includesMoves: Bool { territories != nil && includesDeleted }
    /// Moves are read after this number (a catch-up pass: after the old view's cursor).
    public var movesSince: Int64 { max(since, catchUp?.base ?? 0) }
    /// The territories whose moves out are read: the view's, and during a catch-up the ones taken away (a record that
    /// left one of them after the old cursor is still on the laptop).
    public var moveTerritories: [String] { ((territories ?? []) + (catchUp?.removed ?? [])).sorted() }
}

/// The rows a store read for a `PullQuery`.
public struct PullRows: Sendable {
    /// The store's latest change number.
    public var changeSeq: Int64
    /// The store's generation.
    public var generation: String
    /// Records changed after `since` in the query's territories, in change order.
    public var changed: [ChangedRecordRow]
    /// Records that left one of the query's territories after `since`, in change order.
    public var moved: [MovedRecordRow]

    /// Creates the rows of one read.
    public init(changeSeq: Int64, generation: String, changed: [ChangedRecordRow], moved: [MovedRecordRow]) {
        self.changeSeq = changeSeq
        self.generation = generation
        self.changed = changed
        self.moved = moved
    }
}

/// A changed record as stored: its number, territory, whether it is deleted, and its state JSON.
public struct ChangedRecordRow: Sendable {
    /// The record's version (the change number of its latest change).
    public let seq: Int64
    /// The record.
    public let id: RecordID
    /// Its territory now.
    public let territory: String
    /// Whether it is deleted.
    public let deleted: Bool
    /// Its `RecordState` as stored JSON.
    public let state: [UInt8]

    /// Creates a row.
    public init(seq: Int64, id: RecordID, territory: String, deleted: Bool, state: [UInt8]) {
        self.seq = seq
        self.id = id
        self.territory = territory
        self.deleted = deleted
        self.state = state
    }
}

/// A move of a record out of one of the queried territories.
public struct MovedRecordRow: Sendable {
    /// The change number of the move.
    public let seq: Int64
    /// The record.
    public let record: RecordID
    /// The territory the record is in now.
    public let territory: String

    /// Creates a row.
    public init(seq: Int64, record: RecordID, territory: String) {
        self.seq = seq
        self.record = record
        self.territory = territory
    }
}
