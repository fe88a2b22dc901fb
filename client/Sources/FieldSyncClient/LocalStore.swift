import FieldSyncModel
import Foundation
import GRDB

/// The laptop's replica: one SQLite file holding the confirmed state, the pending queue and the rebased view.
///
/// Shaped like GRDB's `AppDatabase`: migrations run in `init`, and only intention-revealing methods are public
/// (`edit`, `pendingBatch`, `applyPushResults`, `applyPulled`, …). Every method is one transaction, so a process
/// killed at any moment leaves either the state before or the state after, never half of an edit or a page.
public struct LocalStore: Sendable {
    let db: any DatabaseWriter
    /// Physical time in milliseconds (injected so tests control it).
    let now: @Sendable () -> Int64
    /// The schema edits are validated against.
    public let schema: Schema
    /// Where new record and replica ids come from.
    let ids: IDSource

    /// Opens the replica in `dbWriter` (a file, or an in-memory database in tests), migrating it first; new ids
    /// come from `ids` (a seeded source replays a simulation).
    public init(
        _ dbWriter: any DatabaseWriter, schema: Schema = SpokenSchema.current,
        now: @escaping @Sendable () -> Int64 = LocalStore.systemMilliseconds, ids: IDSource = .system
    ) throws {
        try Self.migrator(ids: ids).migrate(dbWriter)
        db = dbWriter
        self.now = now
        self.schema = schema
        self.ids = ids
    }

    /// Opens (creating if needed) the replica database `replica.sqlite` in `directory`: what the CLI uses.
    ///
    /// A file that is emptied, truncated, missing its schema or failing SQLite's check is refused with
    /// `damaged_store` and left as it is (`ReplicaFile`); a data folder copied from another machine or folder takes a
    /// new replica id before its first push (`adoptCopiedFolder`).
    public init(
        directory: String, schema: Schema = SpokenSchema.current,
        now: @escaping @Sendable () -> Int64 = LocalStore.systemMilliseconds, ids: IDSource = .system
    ) throws {
        let file = ReplicaFile(directory: directory)
        try file.prepare(ids: ids)
        try self.init(
            DatabaseQueue(path: file.path, configuration: Self.makeConfiguration()), schema: schema, now: now,
            ids: ids)
        try adoptCopiedFolder(fingerprint: file.fingerprint)
    }

    /// This laptop's replica id: made with the database, and made again when the data folder turns out to be a copy.
    public var replica: ReplicaID {
        get throws { try db.read { try Self.replica($0) } }
    }

    static func replica(_ db: Database) throws -> ReplicaID {
        ReplicaID(trusted: try meta(db, "replica") ?? "")
    }

    /// The connection settings of a replica file: WAL, normal sync, and a wait on a busy file instead of an error.
    public static func makeConfiguration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        }
        return configuration
    }

    /// The replica's schema, version by version; a new replica gets its id here.
    private static func migrator(ids: IDSource) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                    CREATE TABLE records(
                        id TEXT PRIMARY KEY, entity TEXT NOT NULL, label TEXT NOT NULL, live INTEGER NOT NULL,
                        territory TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 0,
                        conflicts INTEGER NOT NULL DEFAULT 0, confirmed BLOB, local BLOB);
                    CREATE INDEX records_conflicts ON records(conflicts) WHERE conflicts > 0;
                    CREATE INDEX records_entity ON records(entity, live);
                    CREATE INDEX records_label ON records(label);
                    CREATE TABLE pending(
                        seq INTEGER PRIMARY KEY, mutation BLOB NOT NULL, summary TEXT NOT NULL,
                        created_ms INTEGER NOT NULL, acked_change_seq INTEGER);
                    CREATE TABLE pending_records(record TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(record, seq))
                        WITHOUT ROWID;
                    CREATE TABLE rejected(
                        seq INTEGER PRIMARY KEY, mutation BLOB NOT NULL, summary TEXT NOT NULL, code TEXT NOT NULL,
                        reason TEXT NOT NULL, at_ms INTEGER NOT NULL);
                    CREATE TABLE pass_seen(id TEXT PRIMARY KEY) WITHOUT ROWID;
                    """)
            let replica = newReplicaID(ids)
            try db.execute(
                sql: "INSERT INTO meta(key, value) VALUES ('replica', ?), ('next_seq', '1')", arguments: [replica])
        }
        migrator.registerMigration("v2") { db in
            // Acknowledged mutations kept for the retention window, to re-offer to a server restored from a backup;
            // a refused seq is kept as a mutation without writes, so a re-offer has no gap.
            try db.execute(
                sql: """
                    CREATE TABLE acked(
                        seq INTEGER PRIMARY KEY, mutation BLOB NOT NULL, summary TEXT NOT NULL,
                        acked_ms INTEGER NOT NULL);
                    CREATE INDEX acked_time ON acked(acked_ms);
                    """)
            // A replica that has a session was registered by its login.
            if try meta(db, "session") != nil { try setMeta(db, "replica_registered", "1") }
        }
        migrator.registerMigration("v3") { db in
            // The server's receipt for each acknowledged mutation, sent along when it is re-offered to a restored
            // server, which then applies it as the change it authorized once.
            try db.execute(sql: "ALTER TABLE pending ADD COLUMN receipt TEXT")
            try db.execute(sql: "ALTER TABLE acked ADD COLUMN receipt TEXT")
        }
        migrator.registerMigration("v4") { db in
            // The customer a merged record now stands for (`RecordMerge`): lookups and pending edits follow it.
            try db.execute(
                sql: """
                    ALTER TABLE records ADD COLUMN merged_into TEXT;
                    CREATE INDEX records_merged ON records(merged_into) WHERE merged_into IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v5") { db in
            // The records of a pending change, found by its seq (the dry run lists 50,000 in a second, not minutes).
            try db.execute(sql: "CREATE INDEX pending_records_seq ON pending_records(seq)")
        }
        migrator.registerMigration("v6") { db in
            // The schema version each change was made under (the release before had only version 1): it goes out
            // in that version after the laptop upgrades, and is read as such.
            try db.execute(
                sql: """
                    ALTER TABLE pending ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE acked ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1;
                    """)
            // The records here were pulled as version 1 shows them.
            if try meta(db, "cursor") != nil { try setMeta(db, "pulled_schema", "1") }
        }
        migrator.registerMigration("v7") { db in
            // A pending row without writes standing in for an edit undone before it was sent (its seq stays taken).
            try db.execute(sql: "ALTER TABLE pending ADD COLUMN stand_in INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v8") { db in
            // Records a pull page stored whose view waits for the pull's last page (`LocalStore.applyPulled`), and
            // whether their columns still describe the confirmed state (an edit since says no).
            try db.execute(
                sql: """
                    CREATE TABLE view_stale(id TEXT PRIMARY KEY, described INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID
                    """)
        }
        migrator.registerMigration("v9") { db in
            // The changes still to send, and the acknowledged ones by the change that carried them: a first sync's
            // batches read the next 500 unsent without stepping over the 49,500 already sent (acknowledged rows stay
            // until the pull retires them), and a pull page retires what it brought without reading every row.
            try db.execute(
                sql: """
                    CREATE INDEX pending_unacked ON pending(seq) WHERE acked_change_seq IS NULL;
                    CREATE INDEX pending_acked ON pending(acked_change_seq) WHERE acked_change_seq IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v10") { db in
            // What each change does and the record it first writes (`PendingGroup`), so `sync --dry-run` counts
            // 50,000 waiting changes without reading their JSON.
            try db.execute(
                sql: "ALTER TABLE pending ADD COLUMN first_record TEXT; ALTER TABLE pending ADD COLUMN kind TEXT")
            let describe = try db.makeStatement(sql: "UPDATE pending SET first_record = ?, kind = ? WHERE seq = ?")
            for row in try Row.fetchAll(db, sql: "SELECT seq, mutation FROM pending") {
                let mutation = try Self.mutation(row["mutation"] as Data)
                try describe.execute(
                    arguments: [
                        mutation.writes.first?.record.rawValue, PendingGroup.kind(of: mutation), row["seq"] as Int64,
                    ])
            }
        }
        return migrator
    }

    /// A new replica id from `ids`.
    static func newReplicaID(_ ids: IDSource) -> String {
        "lap-" + ids.text(12, from: "0123456789abcdefghijklmnopqrstuvwxyz")
    }

    /// Wall-clock milliseconds since 1970.
    public static func systemMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    // MARK: - Meta

    // The statements every edit runs are prepared once per connection (`cachedStatement`): compiling them again for
    // each of an import's 50,000 edits cost more than running them.

    static func meta(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key])
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String?) throws {
        if let value {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")
                .execute(arguments: [key, value])
        } else {
            try db.cachedStatement(sql: "DELETE FROM meta WHERE key = ?").execute(arguments: [key])
        }
    }

    /// The laptop's clock, resumed after the last timestamp it issued or received.
    func clock(_ db: Database) throws -> HybridLogicalClock {
        let last = try Self.meta(db, "hlc").flatMap { try? HLCTimestamp(parsing: $0) }
        return HybridLogicalClock(replica: try Self.replica(db), maxForwardSkewMs: .max / 2, resumingAfter: last)
    }

    /// Advances the clock past a server timestamp.
    func receive(_ remote: HLCTimestamp, _ db: Database) throws {
        var clock = try clock(db)
        try clock.receive(remote, physicalMs: now())
        try Self.setMeta(db, "hlc", clock.last.description)
    }

    /// The name local edits are shown under until the server stamps them: the logged-in user.
    static func author(_ db: Database) throws -> String { try session(db)?.user ?? "me" }

    /// The stored session, if the laptop is logged in (and it reads).
    static func session(_ db: Database) throws -> SessionInfo? {
        try meta(db, "session").flatMap { try? JSONDecoder().decode(SessionInfo.self, from: Data($0.utf8)) }
    }

    /// The session, when logged in.
    public func session() throws -> SessionInfo? {
        try db.read { db in
            try Self.meta(db, "session").flatMap { try JSONDecoder().decode(SessionInfo.self, from: Data($0.utf8)) }
        }
    }

    /// What to log in with: this laptop's replica id and, for one not yet registered, the seq it starts at.
    public func loginRequest(user: String, password: String) throws -> LoginRequest {
        try db.read { db in
            let registered = try Self.meta(db, "replica_registered") == "1"
            return LoginRequest(
                user: user, password: password, replica: try Self.replica(db),
                firstSeq: registered ? nil : try Self.meta(db, "replica_first_seq").flatMap { UInt64($0) })
        }
    }

    /// Stores the session a login on `server` (trusting `caFile`) answered with, and moves this laptop's clock past the server's.
    public func startSession(_ login: LoginResponse, server: String, caFile: String? = nil) throws {
        try setSession(
            SessionInfo(
                server: server, user: login.user, role: login.role, team: login.team, territories: login.territories,
                caFile: caFile),
            serverHLC: login.hlc)
        try db.write { db in
            if login.replica == (try Self.replica(db)) { try Self.setMeta(db, "replica_registered", "1") }
            try noteGeneration(login.generation, db)
        }
    }

    /// Stores (or clears) the session.
    public func setSession(_ session: SessionInfo?, serverHLC: HLCTimestamp?) throws {
        try db.write { db in
            try Self.setMeta(
                db, "session", try session.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) })
            if let serverHLC { try receive(serverHLC, db) }
        }
    }

    // MARK: - Records

    /// Decodes a stored mutation: its plain JSON read in one pass (`MutationReader`), anything else by `Codable`.
    static func mutation(_ data: Data) throws -> Mutation {
        try MutationReader.mutation(Array(data)) ?? JSONDecoder().decode(Mutation.self, from: data)
    }

    /// Decodes a stored state.
    static func state(_ data: Data) throws -> RecordState {
        try RecordState(compactJSON: Array(data)) ?? JSONDecoder().decode(RecordState.self, from: data)
    }

    /// The label a record is found by: its name, title or purpose.
    static func label(of state: RecordState) -> String {
        for field in ["name", "title", "purpose"] {
            if let text = state.value(field).text { return text }
        }
        return ""
    }

    /// How many conflicts a state has (cheap: no conflict objects are built for clean records).
    static func conflictCount(_ state: RecordState) -> Int {
        guard state.merged == nil else { return 0 }
        let fields = state.fields.values.count { $0.isConflict }
        return fields + (state.deletes.isEmpty || state.isDeleted ? 0 : 1)
    }

    /// Recomputes the view of `ids`: the confirmed state with every pending mutation that touches them replayed.
    ///
    /// A record merged into another shows through the record kept: pending edits addressed to it replay there
    /// (`Write.redirected`), so an edit made before the laptop learned of the merge stays in view.
    ///
    /// A record with nothing to replay shows its confirmed state as stored, without decoding it: when its row's
    /// columns already describe that state (`local` is empty or a copy of it, or `described` holds the record because
    /// a pull stored it in this transaction), only `local` changes. A first sync's 50,000 records are rebased so.
    func recompute(_ ids: some Sequence<RecordID>, described: Set<RecordID> = [], _ db: Database) throws {
        let author = try Self.author(db)
        let redirected = try Set(
            String.fetchAll(db, sql: "SELECT id FROM records WHERE merged_into IS NOT NULL").map(
                RecordID.init(trusted:)))
        var all = Set(ids)
        for id in Array(all) where redirected.contains(id) { all.insert(try Self.survivor(id, db)) }
        all.subtract(try Self.rebaseUnedited(all, described: described, db))
        // Redirects first: the records kept then read the merged records' redirects as just stored.
        for id in all.sorted(by: { (redirected.contains($0) ? 0 : 1, $0) < (redirected.contains($1) ? 0 : 1, $1) }) {
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT confirmed IS NOT NULL AS held, version, local IS NULL OR local = confirmed AS plain
                        FROM records WHERE id = ?
                        """), arguments: [id.rawValue])
            let held: Bool = row?["held"] ?? false
            // The server forgets superseded ids, so a write its state already includes must not be applied again: an
            // acknowledged mutation at or below the confirmed version is part of that state.
            let version: Int64 = held ? row?["version"] ?? -1 : -1
            let pending = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        WITH RECURSIVE alias(id) AS (
                            SELECT ?1 UNION SELECT records.id FROM records JOIN alias ON records.merged_into = alias.id)
                        SELECT DISTINCT pending.seq, pending.acked_change_seq FROM pending_records
                        JOIN pending ON pending.seq = pending_records.seq
                        WHERE pending_records.record IN alias ORDER BY pending.seq
                        """), arguments: [id.rawValue])
            let replayed = pending.filter { row in
                guard let acked: Int64 = row["acked_change_seq"] else { return true }
                return acked > version
            }
            try db.cachedStatement(sql: "DELETE FROM view_stale WHERE id = ?").execute(arguments: [id.rawValue])
            if held, replayed.isEmpty, row?["plain"] == true || described.contains(id) {
                try db.cachedStatement(sql: "UPDATE records SET local = CASE WHEN ?2 THEN confirmed END WHERE id = ?1")
                    .execute(arguments: [id.rawValue, !pending.isEmpty])
                continue
            }
            var state = try held ? Self.confirmedState(id, db) ?? RecordState() : RecordState()
            for pendingRow in replayed {
                let mutation = try Self.mutation(
                    Data.fetchOne(
                        db.cachedStatement(sql: "SELECT mutation FROM pending WHERE seq = ?"),
                        arguments: [pendingRow["seq"] as Int64]) ?? Data())
                for (index, original) in mutation.writes.enumerated() {
                    let writeID = mutation.writeID(index)
                    if original.record == id {
                        state.apply(original, id: writeID, hlc: mutation.hlc, author: author)
                        continue
                    }
                    let write = try original.redirected(references: Self.references) { try Self.survivor($0, db) }
                    if case .merge(_, let keep) = write {
                        // This record is the one kept: it takes in what the merged one held when the merge was made.
                        if keep == id, let merged = try Self.confirmedState(original.record, db) {
                            state.absorb(merged)
                        }
                    } else if write.record == id {
                        state.apply(write, id: writeID, hlc: mutation.hlc, author: author)
                    }
                }
            }
            try Self.storeView(id, state, pending: !pending.isEmpty, db)
        }
    }

    /// Shows the confirmed state of every record of `ids` that nothing is replayed over and whose columns describe
    /// that state, in two statements, and returns them: what `recompute` would do for each one by one (a first sync's
    /// 50,000 records after their edits retire). Left to `recompute`: records not held, merged ones and the ones
    /// merged into, records with a pending edit, and rows whose `local` differs from a state the pull did not store.
    private static func rebaseUnedited(_ ids: Set<RecordID>, described: Set<RecordID>, _ db: Database) throws
        -> Set<RecordID>
    {
        guard !ids.isEmpty else { return [] }
        let done = try String.fetchAll(
            db,
            sql: """
                UPDATE records SET local = NULL
                WHERE id IN (SELECT value FROM json_each(?1)) AND confirmed IS NOT NULL AND merged_into IS NULL
                    AND NOT EXISTS (SELECT 1 FROM pending_records WHERE pending_records.record = records.id)
                    AND NOT EXISTS (SELECT 1 FROM records kept WHERE kept.merged_into = records.id)
                    AND (local IS NULL OR local = confirmed OR id IN (SELECT value FROM json_each(?2)))
                RETURNING id
                """, arguments: [jsonList(Array(ids)), jsonList(Array(described))]
        ).map(RecordID.init(trusted:))
        try db.execute(
            sql: "DELETE FROM view_stale WHERE id IN (SELECT value FROM json_each(?))", arguments: [jsonList(done)])
        return Set(done)
    }

    static let references = Schema.fieldSync.referenceFields

    /// The record `id` stands for in this laptop's view, following merges.
    static func survivor(_ id: RecordID, _ db: Database) throws -> RecordID {
        var current = id
        for _ in 0..<RecordMerge.maxRedirects {
            guard
                let next = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT merged_into FROM records WHERE id = ?"),
                    arguments: [current.rawValue]),
                next != current.rawValue
            else { return current }
            current = RecordID(trusted: next)
        }
        return current
    }

    /// The server-confirmed state of `id`, if any.
    static func confirmedState(_ id: RecordID, _ db: Database) throws -> RecordState? {
        try Data.fetchOne(
            db.cachedStatement(sql: "SELECT confirmed FROM records WHERE id = ?"), arguments: [id.rawValue]
        ).map(state)
    }

    /// Stores the state this laptop shows for `id`: `local` holds it while edits are pending, and a record that only
    /// pending edits had created goes away with them.
    static func storeView(_ id: RecordID, _ state: RecordState, pending: Bool, _ db: Database) throws {
        // Local edits build on what is shown, so writes arrive here in causal order as they do at the server, and the
        // view forgets superseded ids the same way: it then equals the server's state once synced.
        var state = state
        state.forgetSuperseded()
        guard state.entity != nil else {
            try db.execute(sql: "DELETE FROM records WHERE id = ?", arguments: [id.rawValue])
            return
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO records(id, entity, label, live, conflicts, local, merged_into)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET entity = excluded.entity, label = excluded.label, live = excluded.live,
                    conflicts = excluded.conflicts, local = excluded.local, merged_into = excluded.merged_into
                """
        ).execute(
            arguments: [
                id.rawValue, (state.entity ?? .customer).rawValue, Self.label(of: state), state.exists,
                Self.conflictCount(state), pending ? Data(state.compactJSON()) : nil, state.redirect?.rawValue,
            ])
    }
}
