import FieldSyncModel
import Foundation
import GRDB

extension SQLiteStore {
    public func push(_ mutations: [Mutation], by principal: Principal, processor: PushProcessor) async throws
        -> PushCommit
    {
        try await groupCommit.commit(mutations: mutations.count) { db, soFar in
            let outcome = try processor.process(
                mutations, by: principal, source: SQLitePushSource(db: db, cache: cache, group: soFar))
            var seq = try Self.changeSeq(db)
            var versions: [RecordID: Int64] = [:]
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO records(id, entity, territory, customer, version, deleted, conflicts, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET territory = excluded.territory, customer = excluded.customer,
                        version = excluded.version, deleted = excluded.deleted, conflicts = excluded.conflicts,
                        state = excluded.state
                    """)
            for record in outcome.changed {
                seq += 1
                versions[record.id] = seq
                try upsert.execute(arguments: [
                    record.id.rawValue, record.entity.rawValue, record.territory, record.customer?.rawValue, seq,
                    record.deleted, record.conflictCount, Data(record.state.compactJSON()),
                ])
            }
            let insertHistory = try db.cachedStatement(
                sql: """
                    INSERT INTO history(write_id, seq, record, op, field, old_value, new_value, author, replica, hlc,
                        accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in outcome.history {
                try insertHistory.execute(arguments: [
                    entry.write.description, versions[entry.record], entry.record.rawValue, entry.op, entry.field,
                    try HistoryText.text(entry.oldValue), try HistoryText.text(entry.newValue),
                    entry.author, entry.write.replica.rawValue, entry.hlc.description, processor.nowMs,
                ])
            }
            for move in outcome.moves {
                try db.cachedStatement(
                    sql: "INSERT INTO moves(seq, record, old_territory, new_territory) VALUES (?, ?, ?, ?)"
                ).execute(arguments: [versions[move.record], move.record.rawValue, move.from, move.to])
            }
            for rejection in outcome.rejections {
                try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO rejections(replica, seq, code, reason) VALUES (?, ?, ?, ?)"
                ).execute(
                    arguments: [
                        principal.replica.rawValue, Int64(rejection.seq), rejection.code.rawValue, rejection.reason,
                    ])
            }
            let insertDigest = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO digests(replica, seq, digest) VALUES (?, ?, ?)")
            for entry in outcome.digests {
                try insertDigest.execute(arguments: [principal.replica.rawValue, Int64(entry.seq), entry.digest])
            }
            try db.cachedStatement(sql: "UPDATE counters SET value = ? WHERE name = 'change_seq'")
                .execute(arguments: [seq])
            try db.cachedStatement(
                sql: """
                    UPDATE replicas SET last_seq = ?, clock_offset_ms = coalesce(?, clock_offset_ms), last_push_ms = ?
                    WHERE id = ?
                    """
            ).execute(
                arguments: [
                    Int64(outcome.lastSeq), processor.clockOffsetMs, processor.nowMs, principal.replica.rawValue,
                ])
            let commit = PushCommit(
                results: outcome.results, changeSeq: seq, replicaSeq: outcome.lastSeq,
                generation: try Self.generation(db))
            return (commit, outcome.changed.map { ($0.id, versions[$0.id]!, $0.state) })
        }
    }

    /// The last change number handed out.
    static func changeSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM counters WHERE name = 'change_seq'")) ?? 0
    }

    public func pullRows(_ query: PullQuery) async throws -> PullRows {
        try await pool.read { db in
            var rows = PullRows(
                changeSeq: try Self.changeSeq(db), generation: try Self.generation(db), changed: [], moved: [])
            func list(_ territories: [String]) -> String {
                "(\(Array(repeating: "?", count: territories.count).joined(separator: ",")))"
            }
            // Each read is an arm of one query merged by version (`UNION ALL … ORDER BY version LIMIT`); an arm on
            // one territory walks the (territory, version) index from where it starts, so a catch-up reads an added
            // territory back to the beginning without stepping over the rows the laptop already holds.
            var arms: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            func arm(_ territories: [String], after seq: Int64, _ condition: String = "", removal: Bool = false) {
                let columns = removal ? "1, X''" : "deleted, state"
                arms.append(
                    "SELECT id, territory, version, \(columns) FROM records"
                        + " WHERE territory IN \(list(territories)) AND version > ?\(condition)")
                arguments += territories as [any DatabaseValueConvertible]
                arguments.append(seq)
            }
            // Arms on one territory each, but SQLite takes at most 500 arms: a change of hundreds in one list.
            func each(_ territories: [String]) -> [[String]] {
                territories.count <= 100 ? territories.map { [$0] } : [territories]
            }
            if let catchUp = query.catchUp {
                // The view's changes after the old cursor; the territories added as they are, back to the beginning;
                // records now in a territory taken away, as removals.
                let kept = Set(query.territories ?? []).subtracting(catchUp.added).sorted()
                if !kept.isEmpty { arm(kept, after: max(query.since, catchUp.base)) }
                for added in each(Set(catchUp.added).sorted()) {
                    arm(added, after: query.since, " AND (version > ? OR deleted = 0)")
                    arguments.append(catchUp.base)
                }
                for removed in each(Set(catchUp.removed).sorted()) { arm(removed, after: query.since, removal: true) }
            } else if let territories = query.territories {
                if !territories.isEmpty { arm(territories, after: query.since) }
            } else {
                arms.append("SELECT id, territory, version, deleted, state FROM records WHERE version > ?")
                arguments.append(query.since)
            }
            if arms.isEmpty { return rows }  // `IN ()` is not SQL
            // A pull's SQL differs only by its number of territories, so each reader keeps its statements compiled
            // (compiling was a sixth of a small sync's server time); a catch-up's rarer shapes are compiled once.
            func statement(_ sql: String) throws -> Statement {
                query.catchUp == nil ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            }
            let live = query.includesDeleted ? "" : " AND deleted = 0"
            rows.changed = try Row.fetchAll(
                statement(arms.map { $0 + live }.joined(separator: " UNION ALL ") + " ORDER BY version LIMIT ?"),
                arguments: StatementArguments(arguments + [query.limit])
            ).map { row in
                ChangedRecordRow(
                    seq: row[2], id: RecordID(trusted: row[0]), territory: row[1], deleted: row[3],
                    state: [UInt8](row[4] as Data))
            }
            let moveTerritories = query.moveTerritories
            if query.includesMoves, !moveTerritories.isEmpty {
                rows.moved = try Row.fetchAll(
                    statement(
                        """
                        SELECT moves.seq, moves.record, records.territory FROM moves
                        JOIN records ON records.id = moves.record
                        WHERE moves.seq > ? AND moves.old_territory IN \(list(moveTerritories)) ORDER BY moves.seq LIMIT ?
                        """),
                    arguments: StatementArguments([query.movesSince] + moveTerritories + [query.limit])
                ).map {
                    MovedRecordRow(seq: $0["seq"], record: RecordID(trusted: $0["record"]), territory: $0["territory"])
                }
            }
            return rows
        }
    }

    public func rememberView(_ key: String, territories: [String]) async throws {
        guard !views.contains(key) else { return }
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO pull_views(key, territories) VALUES (?, ?)",
                arguments: [key, TerritoryList.encode(territories)])
        }
        views.insert(key)
    }

    public func view(_ key: String) async throws -> [String]? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT territories FROM pull_views WHERE key = ?", arguments: [key])
                .map(TerritoryList.decode)
        }
    }

    public func conflicts(for principal: Principal) async throws -> [Conflict] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, territory, state FROM records WHERE conflicts > 0 ORDER BY id")
            let decoder = JSONDecoder()
            return try rows.filter { principal.canSee(territory: $0["territory"]) }.flatMap { row -> [Conflict] in
                let state = try decoder.decode(RecordState.self, from: row["state"] as Data)
                return state.conflicts(of: RecordID(trusted: row["id"]))
            }
        }
    }

    public func history(of record: RecordID, for principal: Principal) async throws -> [HistoryEntry]? {
        try await pool.read { db in
            guard
                let territory = try String.fetchOne(
                    db, sql: "SELECT territory FROM records WHERE id = ?", arguments: [record.rawValue]),
                principal.canSee(territory: territory)
            else { return nil }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM history WHERE record = ? ORDER BY seq, write_id", arguments: [record.rawValue]
            ).map { row in
                HistoryEntry(
                    seq: row["seq"], write: try WriteID(parsing: row["write_id"]), op: row["op"], field: row["field"],
                    oldValue: try HistoryText.value(row["old_value"]),
                    newValue: try HistoryText.value(row["new_value"]),
                    author: row["author"],
                    replica: ReplicaID(trusted: row["replica"]), hlc: try HLCTimestamp(parsing: row["hlc"]),
                    acceptedAtMs: row["accepted_at"])
            }.sorted(by: HistoryEntry.inOrderWritten)
        }
    }

    public func stats() async throws -> StoreStats {
        try await pool.read { db in
            StoreStats(
                users: try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0,
                records: try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE deleted = 0") ?? 0,
                recordsInConflict: try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE conflicts > 0") ?? 0,
                changeSeq: try Self.changeSeq(db),
                replicas: try Self.replicas(db))
        }
    }

    public func replicas() async throws -> [ReplicaStats] {
        try await pool.read { db in try Self.replicas(db) }
    }

    private static func replicas(_ db: Database) throws -> [ReplicaStats] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT replicas.id, users.name, replicas.last_seq, replicas.clock_offset_ms, replicas.last_push_ms
                FROM replicas JOIN users ON users.id = replicas.user_id ORDER BY replicas.id
                """
        ).map {
            ReplicaStats(replica: $0[0], user: $0[1], lastSeq: $0[2], clockOffsetMs: $0[3], lastPushMs: $0[4])
        }
    }

    public func latestHLC() async throws -> HLCTimestamp? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT hlc FROM history ORDER BY seq DESC LIMIT 1").flatMap {
                try? HLCTimestamp(parsing: $0)
            }
        }
    }
}
