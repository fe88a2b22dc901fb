import FieldSyncModel

/// The server's rules for a pull: which pass the caller is on (a changed view epoch restarts it from the beginning),
/// what to read, where a page ends (`more`), which records the caller must drop, and the next cursor. Pure: a store
/// reads the rows `query` names from one snapshot and hands them to `page(_:)`, so every store pages alike.
public struct PullPlanner: Sendable {
    /// What the store reads for this page.
    public let query: PullQuery
    /// Whether this page restarts the caller's pass (their view changed, or a fresh laptop).
    public let reset: Bool
    private let epoch: Int64
    private let cursor: Cursor
    private let limit: Int
    private let visible: Set<String>?
    private let maxBytes: Int

    /// The most record-state bytes one page carries (4 MiB) besides its first record: a page ends at `limit` records
    /// or at these bytes, whichever comes first, and a record is never split (one is at most `Schema.maxRecordBytes`).
    public static let defaultMaxPageBytes = 4 << 20

    /// Plans one page of at most `limit` items for `principal`, who sent `cursor`; `restart` starts the pass again
    /// whatever the cursor says (see `mustRestart(after:)`).
    public init(
        principal: Principal, cursor: Cursor, limit: Int, restart: Bool = false,
        maxBytes: Int = PullPlanner.defaultMaxPageBytes
    ) {
        self.maxBytes = maxBytes
        epoch = principal.user.scopeEpoch
        reset = restart || cursor.epoch != epoch
        self.cursor = cursor
        self.limit = limit
        visible = principal.visibleTerritories
        query = PullQuery(
            since: reset ? 0 : cursor.seq, territories: principal.visibleTerritories.map { $0.sorted() },
            limit: limit + 1)
    }

    /// Whether the rows show the cursor is not this server's: issued by another generation (the server was restored
    /// from a backup since), or ahead of its change number. Paging on from there would skip every change made again
    /// after the restore, so the pass starts over.
    public func mustRestart(after rows: PullRows) -> Bool {
        guard !reset else { return false }
        if let issuer = cursor.generation, issuer != rows.generation { return true }
        return cursor.seq > rows.changeSeq
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
        let next = more ? page.last!.seq : max(rows.changeSeq, reset ? 0 : cursor.seq)
        return PullPage(
            records: records, removed: removed, cursor: Cursor(epoch: epoch, seq: next, generation: rows.generation),
            more: more, reset: reset, generation: rows.generation)
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

    /// Creates a query.
    public init(since: Int64, territories: [String]?, limit: Int) {
        self.since = since
        self.territories = territories
        self.limit = limit
    }

    /// Whether deleted records are read (as removals); a pass from the beginning has nothing to remove.
    public var includesDeleted: Bool { since > 0 }
    /// Whether moves out of `territories` are read: only a restricted view past the beginning loses records by them.
    public var includesMoves: Bool { territories != nil && since > 0 }
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
