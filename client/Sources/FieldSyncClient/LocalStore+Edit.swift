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
    /// its place. One commit for the batch instead of one per edit.
    public func edits<Item>(
        _ items: [Item], summary: (Item) -> String, _ build: (Item, inout MutationBuilder) throws -> Void
    ) throws -> [Result<Mutation, any Error>] {
        try db.write { db in
            let editor = try Editor(db)  // read once for the batch
            return items.map { item in
                Result { try edit(summary: summary(item), db, as: editor) { try build(item, &$0) } }
            }
        }
    }

    /// Who makes the edits of one transaction: this laptop's replica id and its session, which names the author and
    /// says whether the user may reopen a workflow.
    struct Editor {
        let replica: ReplicaID
        let session: SessionInfo?

        init(_ db: Database) throws {
            (replica, session) = (try LocalStore.replica(db), try LocalStore.session(db))
        }
    }

    /// Makes one local edit inside the caller's write transaction `db` (see `edit(summary:_:)`), as `editor` when the
    /// caller has read it.
    func edit(
        summary: String, _ db: Database, as editor: Editor? = nil, _ build: (inout MutationBuilder) throws -> Void
    ) throws -> Mutation {
        let seq = UInt64(try Self.meta(db, "next_seq").flatMap { UInt64($0) } ?? 1)
        var clock = try clock(db)
        let hlc = clock.now(physicalMs: now())
        let editor = try editor ?? Editor(db)
        let (replica, session) = (editor.replica, editor.session)
        var builder = MutationBuilder(
            replica: replica, seq: seq, hlc: hlc, author: session?.user ?? "me", ids: ids,
            lookup: { id in try Self.viewState(id, db) })
        try build(&builder)
        let mutation = Mutation(replica: replica, seq: seq, hlc: hlc, writes: builder.writes)
        let role = session?.role
        do throws(ModelError) {
            try schema.validate(mutation) { id in
                guard let state = try? Self.viewState(id, db), state.exists else { return nil }
                return state.entity
            }
            // The server checks the workflow again against what it holds.
            try schema.checkWorkflow(
                mutation, stored: { id in try? Self.viewState(id, db) }, mayReopen: role != nil && role != .rep)
        } catch {
            throw ClientError(error)
        }
        try db.cachedStatement(
            sql: "INSERT INTO pending(seq, mutation, summary, created_ms, schema_version) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [Int64(seq), Data(mutation.compactJSON()), summary, now(), schema.version])
        let link = try db.cachedStatement(sql: "INSERT INTO pending_records(record, seq) VALUES (?, ?)")
        for record in mutation.records { try link.execute(arguments: [record.rawValue, Int64(seq)]) }
        try Self.setMeta(db, "next_seq", String(seq + 1))
        try Self.setMeta(db, "hlc", clock.last.description)
        // The builder's states are the shown states with this mutation applied last, which is what replaying
        // every pending mutation would give: no need to replay them all at each edit.
        let edited = try db.cachedStatement(sql: "UPDATE view_stale SET described = 0 WHERE id = ?")
        for id in mutation.records {
            try Self.storeView(id, builder.states[id] ?? RecordState(), pending: true, db)
            try edited.execute(arguments: [id.rawValue])  // its columns now describe this view
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
