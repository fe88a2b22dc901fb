import FieldSyncModel
import Foundation
import GRDB

extension LocalStore {
    /// Makes one local edit: builds the mutation, validates it with the shared model (the same messages as the
    /// server), and in one transaction stores it in the pending queue and updates the view. Works offline.
    ///
    /// - Parameter summary: a short description for `sync --dry-run`, `status` and the rejected list.
    @discardableResult
    public func edit(summary: String, _ build: (inout MutationBuilder) throws -> Void) throws -> Mutation {
        try db.write { db in try edit(summary: summary, db, build) }
    }

    /// Makes one local edit per item in a single transaction (an import's batch): each is its own mutation, validated
    /// alone, as `edit(summary:_:)` makes it; an item whose edit fails leaves nothing behind and its error stands in
    /// its place. One commit for the batch instead of one per edit, and the replica, session, seq and clock are read
    /// and stored once for it.
    public func edits<Item>(
        _ items: [Item], summary: (Item) -> String, _ build: (Item, inout MutationBuilder) throws -> Void
    ) throws -> [Result<Mutation, any Error>] {
        try db.write { db in
            var editor = try Editor(self, db)
            let results = items.map { item in
                Result { try edit(summary: summary(item), db, as: &editor) { try build(item, &$0) } }
            }
            try editor.save(db)
            return results
        }
    }

    /// Who makes the edits of one transaction and where they stand: this laptop's replica id, its session (which
    /// names the author and says whether the user may reopen a workflow), the next mutation's seq and the clock,
    /// kept here across the transaction's edits and stored by `save(_:)`.
    struct Editor {
        let replica: ReplicaID
        let session: SessionInfo?
        var seq: UInt64
        var clock: HybridLogicalClock
        /// Whether a view waits for a pull's last page (`view_stale`): an edit then notes that its records' columns
        /// describe their views.
        let staleViews: Bool

        init(_ store: LocalStore, _ db: Database) throws {
            (replica, session) = (try LocalStore.replica(db), try LocalStore.session(db))
            seq = try LocalStore.meta(db, "next_seq").flatMap { UInt64($0) } ?? 1
            clock = try store.clock(db)
            staleViews = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM view_stale)") ?? false
        }

        /// Stores the next seq and the clock's last timestamp.
        func save(_ db: Database) throws {
            try LocalStore.setMeta(db, "next_seq", String(seq))
            try LocalStore.setMeta(db, "hlc", clock.last.description)
        }
    }

    /// Makes one local edit inside the caller's write transaction `db` (see `edit(summary:_:)`).
    func edit(summary: String, _ db: Database, _ build: (inout MutationBuilder) throws -> Void) throws -> Mutation {
        var editor = try Editor(self, db)
        let mutation = try edit(summary: summary, db, as: &editor, build)
        try editor.save(db)
        return mutation
    }

    /// Makes one local edit inside the caller's write transaction `db` as `editor`, who takes the next seq when it
    /// succeeds; the caller stores the editor.
    private func edit(
        summary: String, _ db: Database, as editor: inout Editor, _ build: (inout MutationBuilder) throws -> Void
    ) throws -> Mutation {
        let (seq, hlc) = (editor.seq, editor.clock.now(physicalMs: now()))
        let (replica, session) = (editor.replica, editor.session)
        var builder = MutationBuilder(
            replica: replica, seq: seq, hlc: hlc, author: session?.user ?? "me", ids: ids,
            lookup: { id in try Self.viewState(id, db) })
        try build(&builder)
        let mutation = Mutation(replica: replica, seq: seq, hlc: hlc, writes: builder.writes)
        // What the laptop showed before this edit: the builder has read most of it already.
        let shown = { (id: RecordID) -> RecordState? in
            if let known = builder.shown[id] { return known }
            return try? Self.viewState(id, db)
        }
        let role = session?.role
        do throws(ModelError) {
            try schema.validate(mutation) { id in
                guard let state = shown(id), state.exists else { return nil }
                return state.entity
            }
            // The server checks the workflow again against what it holds.
            try schema.checkWorkflow(mutation, stored: shown, mayReopen: role != nil && role != .rep)
        } catch {
            throw ClientError(error)
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO pending(seq, mutation, summary, created_ms, schema_version, first_record, kind)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            Int64(seq), Data(mutation.compactJSON()), summary, now(), schema.version,
            mutation.writes.first?.record.rawValue, PendingGroup.kind(of: mutation),
        ])
        let link = try db.cachedStatement(sql: "INSERT INTO pending_records(record, seq) VALUES (?, ?)")
        for record in mutation.records { try link.execute(arguments: [record.rawValue, Int64(seq)]) }
        editor.seq = seq + 1
        // The builder's states are the shown states with this mutation applied last, which is what replaying
        // every pending mutation would give: no need to replay them all at each edit.
        for id in mutation.records {
            try Self.storeView(id, builder.states[id] ?? RecordState(), pending: true, db)
            if editor.staleViews {  // its columns now describe this view
                try db.cachedStatement(sql: "UPDATE view_stale SET described = 0 WHERE id = ?")
                    .execute(arguments: [id.rawValue])
            }
        }
        return mutation
    }

    /// The state this laptop shows for `id` (deleted records included), or `nil`.
    static func viewState(_ id: RecordID, _ db: Database) throws -> RecordState? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT coalesce(local, confirmed) AS state FROM records WHERE id = ?"),
                arguments: [id.rawValue]),
            let data = row["state"] as Data?
        else { return nil }
        return try state(data)
    }
}
