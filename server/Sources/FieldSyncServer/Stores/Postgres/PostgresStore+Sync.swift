import FieldSyncModel
import Foundation
import NIOCore
import PostgresNIO

extension PostgresStore {
    static let recordColumns = "id, entity, territory, version, state"
    /// The seed of the per-record advisory locks (apart from the migration lock, 84201).
    static let recordLockSpace: Int64 = 84202

    /// A stored record from a committed row; its state comes from the cache when this version was decoded before.
    func record(_ row: PostgresRow) throws -> StoredRecord {
        let (id, entity, territory, version, bytes) = try row.decode((String, String, String, Int64, ByteBuffer).self)
        let recordID = RecordID(trusted: id)
        return StoredRecord(
            id: recordID, entity: EntityKind(rawValue: entity) ?? .customer, territory: territory, version: version,
            state: try cache.state(of: recordID, version: version, json: Data(bytes.readableBytesView)))
    }

    public func push(_ mutations: [Mutation], by principal: Principal, processor: PushProcessor) async throws
        -> PushCommit
    {
        var attempt = 0
        while true {
            do {
                let (commit, committed) = try await pushOnce(mutations, by: principal, processor: processor)
                cache.store(committed)  // only now: a rolled-back transaction's numbers are handed out again
                return commit
            } catch let error as PostgresTransactionError where attempt < 5 {
                // A concurrent create of the same record, or a deadlock: the whole push is retried from the start.
                attempt += 1
                logger.debug("push retried after \(error)")
            }
        }
    }

    private func pushOnce(_ mutations: [Mutation], by principal: Principal, processor: PushProcessor) async throws
        -> (commit: PushCommit, committed: [(id: RecordID, version: Int64, state: RecordState)])
    {
        try await client.withTransaction(logger: logger) { connection in
            let replica = principal.replica.rawValue
            var source = MemoryPushSource()
            source.lastSeq = UInt64(
                try await connection.query(
                    "SELECT last_seq FROM replicas WHERE id = \(replica) FOR UPDATE", logger: logger
                )
                .collect().first?.decode(Int64.self) ?? 0)
            // The generation the answer names and the key its receipts are signed with, in one round trip.
            var generation = ""
            for row in try await connection.query(
                "SELECT name, value FROM counters WHERE name = 'generation' OR name LIKE 'receipt_key_%'",
                logger: logger
            ).collect() {
                let (name, value) = try row.decode((String, Int64).self)
                if name == ServerGeneration.counter {
                    generation = ServerGeneration.text(value)
                } else {
                    source.keyRows[name] = value
                }
            }
            let earlier = mutations.map(\.seq).filter { $0 <= source.lastSeq }.map { Int64($0) }
            if !earlier.isEmpty {
                for row in try await connection.query(
                    "SELECT seq, code, reason FROM rejections WHERE replica = \(replica) AND seq = ANY(\(earlier))",
                    logger: logger
                ).collect() {
                    let (seq, code, reason) = try row.decode((Int64, String, String).self)
                    source.rejections[UInt64(seq)] = (ErrorCode(rawValue: code), reason)
                }
                for row in try await connection.query(
                    "SELECT seq, digest FROM digests WHERE replica = \(replica) AND seq = ANY(\(earlier))",
                    logger: logger
                ).collect() {
                    let (seq, digest) = try row.decode((Int64, String).self)
                    source.digests[UInt64(seq)] = digest
                }
            }
            var ids = Array(MemoryPushSource.recordIDs(in: mutations).map(\.rawValue)).sorted()
            // `FOR UPDATE` locks rows that exist; a record two nodes create at once has none yet. A transaction lock
            // per id, taken in id order, makes the second create wait for the first to commit and then find the
            // record (`record_exists`) instead of overwriting it.
            if !ids.isEmpty {
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtextextended(id, \(Self.recordLockSpace))) FROM unnest(\(ids)::text[]) AS id",
                    logger: logger)
            }
            try await load(ids, into: &source, connection)
            // The customers merged records now stand for (`RecordMerge.resolve`), however long the chain.
            for _ in 0..<RecordMerge.maxRedirects {
                let targets = Set(source.records.values.compactMap(\.state.redirect)).filter {
                    source.records[$0] == nil
                }
                if targets.isEmpty { break }
                try await load(targets.map(\.rawValue).sorted(), into: &source, connection)
            }
            let parents = source.records.values.compactMap(\.customer).filter { source.records[$0] == nil }
            try await load(parents.map(\.rawValue).sorted(), into: &source, connection)
            let merging = mutations.flatMap(\.writes).contains {
                if case .merge = $0 { return true }
                return false
            }
            // A merge moves the children of the customer merged, whichever of those loaded it turns out to be.
            let moving =
                mutations.flatMap(\.writes).compactMap { write -> String? in
                    if case .set(let record, "territory", _, _) = write { return record.rawValue }
                    return nil
                }
                + (merging ? source.records.values.filter { $0.entity == .customer }.map(\.id.rawValue) : [])
            if !moving.isEmpty {
                for row in try await connection.query(
                    """
                    SELECT \(unescaped: Self.recordColumns) FROM records WHERE customer = ANY(\(Array(Set(moving)).sorted()))
                    ORDER BY id FOR UPDATE
                    """, logger: logger
                ).collect() {
                    let child = try record(row)
                    source.childrenByCustomer[child.customer!, default: []].append(child)
                    source.records[child.id] = child
                }
            }
            let bases = Array(Set(mutations.flatMap(\.writes).flatMap(\.bases).map(\.description)))
            if !bases.isEmpty {
                for row in try await connection.query(
                    "SELECT write_id, record, op, field, new_value FROM history WHERE write_id = ANY(\(bases))",
                    logger: logger
                ).collect() {
                    let (id, record, op, field, newValue) = try row.decode(
                        (String, String, String, String?, String?).self)
                    source.acceptedWrites[try WriteID(parsing: id)] = try HistoryText.target(
                        record: record, op: op, field: field, newValue: newValue)
                }
            }
            ids = Array(source.records.keys.map(\.rawValue))
            if !ids.isEmpty {
                for row in try await connection.query(
                    """
                    SELECT record, old_territory, new_territory FROM moves WHERE record = ANY(\(ids))
                    ORDER BY seq DESC, id DESC
                    """, logger: logger
                ).collect() {
                    let (record, from, to) = try row.decode((String, String, String).self)
                    source.moves[RecordID(trusted: record), default: []].append((from, to))
                }
            }

            let names = Array(MemoryPushSource.assigneeNames(in: mutations)).sorted()
            if !names.isEmpty {
                let named = try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT \(Self.userColumns) FROM users WHERE name = ANY($1)",
                        binds: {
                            var binds = PostgresBindings(); binds.append(names); return binds
                        }()),
                    logger: logger
                ).collect().map(Self.user)
                for user in named {
                    let team =
                        Visibility.dependsOnTeam(user.role)
                        ? try await connection.query(
                            "SELECT territories FROM users WHERE team = \(user.team)", logger: logger
                        ).collect().flatMap { TerritoryList.decode(try $0.decode(String.self)) } : []
                    source.users[user.name] = NamedUser(user: user, teamTerritories: team)
                }
            }
            let outcome = try processor.process(mutations, by: principal, source: source)

            // What needs no change number is written first, outside the counter lock.
            for rejection in outcome.rejections {
                try await connection.query(
                    """
                    INSERT INTO rejections(replica, seq, code, reason)
                    VALUES (\(replica), \(Int64(rejection.seq)), \(rejection.code.rawValue), \(rejection.reason))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            if !outcome.digests.isEmpty {
                let seqs = outcome.digests.map { Int64($0.seq) }
                let digests = outcome.digests.map(\.digest)
                try await connection.query(
                    """
                    INSERT INTO digests(replica, seq, digest)
                    SELECT \(replica), seq, digest FROM UNNEST(\(seqs)::bigint[], \(digests)::text[]) AS t(seq, digest)
                    ON CONFLICT (replica, seq) DO UPDATE SET digest = excluded.digest
                    """, logger: logger)
            }
            let offset = processor.clockOffsetMs
            try await connection.query(
                """
                UPDATE replicas SET last_seq = \(Int64(outcome.lastSeq)), clock_offset_ms = coalesce(\(offset), clock_offset_ms),
                    last_push_ms = \(processor.nowMs)
                WHERE id = \(replica)
                """, logger: logger)
            // Last, held to commit: change numbers are handed out in commit order.
            let end = try await writeNumbered(outcome, acceptedAt: processor.nowMs, connection)
            let first = end - Int64(outcome.changed.count)
            return (
                PushCommit(
                    results: outcome.results, changeSeq: end, replicaSeq: outcome.lastSeq, generation: generation),
                outcome.changed.enumerated().map { ($0.element.id, first + Int64($0.offset) + 1, $0.element.state) }
            )
        }
    }

    /// Takes the push's change numbers from the counter row and writes everything that carries them (records,
    /// history, moves) in one statement, so the counter stays locked for one round trip and the commit: every round
    /// trip under that lock delays every other push on every node. Returns the last number taken.
    private func writeNumbered(_ outcome: ProcessedPush, acceptedAt: Int64, _ connection: PostgresConnection)
        async throws -> Int64
    {
        let records = outcome.changed
        // A record's number is the counter's old value plus its place in `changed`.
        var place: [RecordID: Int64] = [:]
        for (index, record) in records.enumerated() { place[record.id] = Int64(index + 1) }
        // NULL travels as an empty text: no customer id, field name or JSON value is empty.
        let history = outcome.history
        let moves = outcome.moves
        let count = Int64(records.count)
        let ids = records.map(\.id.rawValue)
        let entities = records.map(\.entity.rawValue)
        let territories = records.map(\.territory)
        let customers = records.map { $0.customer?.rawValue ?? "" }
        let places = records.map { place[$0.id]! }
        let deleted = records.map(\.deleted)
        let conflicts = records.map { Int32($0.conflictCount) }
        let states = records.map { ByteBuffer(bytes: $0.state.compactJSON()) }
        let writes = history.map(\.write.description)
        let writePlaces = history.map { place[$0.record]! }
        let writeRecords = history.map(\.record.rawValue)
        let ops = history.map(\.op)
        let fields = history.map { $0.field ?? "" }
        let olds = try history.map { try HistoryText.text($0.oldValue) ?? "" }
        let news = try history.map { try HistoryText.text($0.newValue) ?? "" }
        let authors = history.map(\.author)
        let replicas = history.map(\.write.replica.rawValue)
        let hlcs = history.map(\.hlc.description)
        let movePlaces = moves.map { place[$0.record]! }
        let moveRecords = moves.map(\.record.rawValue)
        let moveFrom = moves.map(\.from)
        let moveTo = moves.map(\.to)
        return try await connection.query(
            """
            WITH numbers AS (
                UPDATE counters SET value = value + \(count) WHERE name = 'change_seq'
                RETURNING value - \(count) AS base, value AS last),
            changed AS (
                INSERT INTO records(id, entity, territory, customer, version, deleted, conflicts, state)
                SELECT id, entity, territory, NULLIF(customer, ''), (SELECT base FROM numbers) + place, deleted,
                    conflicts, state
                FROM UNNEST(\(ids)::text[], \(entities)::text[], \(territories)::text[], \(customers)::text[],
                    \(places)::bigint[], \(deleted)::bool[], \(conflicts)::int[], \(states)::bytea[])
                    AS t(id, entity, territory, customer, place, deleted, conflicts, state)
                ON CONFLICT (id) DO UPDATE SET territory = excluded.territory, customer = excluded.customer,
                    version = excluded.version, deleted = excluded.deleted, conflicts = excluded.conflicts,
                    state = excluded.state),
            logged AS (
                INSERT INTO history(write_id, seq, record, op, field, old_value, new_value, author, replica, hlc,
                    accepted_at)
                SELECT write_id, (SELECT base FROM numbers) + place, record, op, NULLIF(field, ''),
                    NULLIF(old_value, ''), NULLIF(new_value, ''), author, replica, hlc, \(acceptedAt)
                FROM UNNEST(\(writes)::text[], \(writePlaces)::bigint[], \(writeRecords)::text[], \(ops)::text[],
                    \(fields)::text[], \(olds)::text[], \(news)::text[], \(authors)::text[], \(replicas)::text[],
                    \(hlcs)::text[])
                    AS t(write_id, place, record, op, field, old_value, new_value, author, replica, hlc)),
            moved AS (
                INSERT INTO moves(seq, record, old_territory, new_territory)
                SELECT (SELECT base FROM numbers) + place, record, old_territory, new_territory
                FROM UNNEST(\(movePlaces)::bigint[], \(moveRecords)::text[], \(moveFrom)::text[], \(moveTo)::text[])
                    AS t(place, record, old_territory, new_territory))
            SELECT last FROM numbers
            """, logger: logger
        ).collect()[0].decode(Int64.self)
    }

    /// Loads records by id, locking them, into `source`.
    private func load(_ ids: [String], into source: inout MemoryPushSource, _ connection: PostgresConnection)
        async throws
    {
        guard !ids.isEmpty else { return }
        for row in try await connection.query(
            "SELECT \(unescaped: Self.recordColumns) FROM records WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE",
            logger: logger
        ).collect() {
            let record = try self.record(row)
            source.records[record.id] = record
        }
    }

    public func pullRows(_ query: PullQuery) async throws -> PullRows {
        // One statement, so one snapshot and one round trip: the counter (a header row, kind 0), the changed records
        // (kind 1) and the records that moved out of the queried territories (kind 2). Every number at or below the
        // counter has committed (protocol/PROTOCOL.md, "Several nodes on PostgreSQL").
        var territoryFilter = query.territories == nil ? "" : "AND territory = ANY($3)"
        var columns = "deleted, state"
        if query.catchUp != nil {
            // The view's changes after the old cursor ($4); the territories added ($5) as they are, back to the
            // beginning; records now in a territory taken away ($6), as removals.
            territoryFilter = """
                AND ((territory = ANY($3) AND (version > $4 OR (territory = ANY($5) AND NOT deleted)))
                    OR territory = ANY($6))
                """
            columns = "deleted OR territory = ANY($6), CASE WHEN territory = ANY($6) THEN NULL ELSE state END"
        }
        let moves =
            !query.includesMoves
            ? ""
            : """
            UNION ALL (SELECT 2, moves.seq, moves.record, records.territory, false, NULL FROM moves
                JOIN records ON records.id = moves.record
                WHERE moves.seq > $\(query.catchUp == nil ? 1 : 7) AND moves.old_territory = ANY($\(query.catchUp == nil ? 3 : 8))
                ORDER BY moves.seq LIMIT $2)
            """
        var sql = PostgresQuery(
            unsafeSQL: """
                SELECT 0, value, '', '', false, NULL::bytea FROM counters WHERE name = 'change_seq'
                UNION ALL SELECT 3, value, '', '', false, NULL::bytea FROM counters WHERE name = 'generation'
                UNION ALL (SELECT 1, version, id, territory, \(columns) FROM records
                    WHERE version > $1 \(territoryFilter) \(query.includesDeleted ? "" : "AND NOT deleted")
                    ORDER BY version LIMIT $2)
                \(moves)
                """)
        sql.binds.append(query.since)
        sql.binds.append(Int64(query.limit))
        if let territories = query.territories { sql.binds.append(territories) }  // none: no rows, the counter still
        if let catchUp = query.catchUp {
            if query.territories == nil { sql.binds.append([String]()) }
            sql.binds.append(catchUp.base)
            sql.binds.append(catchUp.added)
            sql.binds.append(catchUp.removed)
            sql.binds.append(query.movesSince)
            sql.binds.append(query.moveTerritories)
        }
        var rows = PullRows(changeSeq: 0, generation: "", changed: [], moved: [])
        for row in try await client.query(sql, logger: logger).collect() {
            let (kind, seq, id, territory, deleted, state) = try row.decode(
                (Int32, Int64, String, String, Bool, ByteBuffer?).self)
            switch kind {
            case 0: rows.changeSeq = seq
            case 3: rows.generation = ServerGeneration.text(seq)
            case 1:
                rows.changed.append(
                    ChangedRecordRow(
                        seq: seq, id: RecordID(trusted: id), territory: territory, deleted: deleted || state == nil,
                        state: state.map { Array($0.readableBytesView) } ?? []))
            case 2:
                rows.moved.append(MovedRecordRow(seq: seq, record: RecordID(trusted: id), territory: territory))
            default: break
            }
        }
        return rows
    }

    public func rememberView(_ key: String, territories: [String]) async throws {
        guard !views.contains(key) else { return }
        try await client.query(
            """
            INSERT INTO pull_views(key, territories) VALUES (\(key), \(TerritoryList.encode(territories)))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        views.insert(key)
    }

    public func view(_ key: String) async throws -> [String]? {
        try await client.query("SELECT territories FROM pull_views WHERE key = \(key)", logger: logger).collect()
            .first.map { TerritoryList.decode(try $0.decode(String.self)) }
    }

    public func conflicts(for principal: Principal) async throws -> [Conflict] {
        try await client.query(
            "SELECT \(unescaped: Self.recordColumns) FROM records WHERE conflicts > 0 ORDER BY id", logger: logger
        ).collect().map(record).filter { principal.canSee(territory: $0.territory) }.flatMap {
            $0.state.conflicts(of: $0.id)
        }
    }

    public func history(of record: RecordID, for principal: Principal) async throws -> [HistoryEntry]? {
        guard
            let territory = try await client.query(
                "SELECT territory FROM records WHERE id = \(record.rawValue)", logger: logger
            ).collect().first?.decode(String.self), principal.canSee(territory: territory)
        else { return nil }
        return try await client.query(
            """
            SELECT seq, write_id, op, field, old_value, new_value, author, replica, hlc, accepted_at FROM history
            WHERE record = \(record.rawValue) ORDER BY seq, write_id
            """, logger: logger
        ).collect().map { row in
            let (seq, write, op, field, old, new, author, replica, hlc, accepted) = try row.decode(
                (Int64, String, String, String?, String?, String?, String, String, String, Int64).self)
            return HistoryEntry(
                seq: seq, write: try WriteID(parsing: write), op: op, field: field,
                oldValue: try HistoryText.value(old),
                newValue: try HistoryText.value(new), author: author, replica: ReplicaID(trusted: replica),
                hlc: try HLCTimestamp(parsing: hlc), acceptedAtMs: accepted)
        }.sorted(by: HistoryEntry.inOrderWritten)
    }

    public func stats() async throws -> StoreStats {
        func count(_ sql: String) async throws -> Int {
            Int(try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()[0].decode(Int64.self))
        }
        return StoreStats(
            users: try await count("SELECT count(*) FROM users"),
            records: try await count("SELECT count(*) FROM records WHERE NOT deleted"),
            recordsInConflict: try await count("SELECT count(*) FROM records WHERE conflicts > 0"),
            changeSeq: Int64(try await count("SELECT value FROM counters WHERE name = 'change_seq'")),
            replicas: try await replicas())
    }

    public func replicas() async throws -> [ReplicaStats] {
        try await client.query(
            """
            SELECT replicas.id, users.name, replicas.last_seq, replicas.clock_offset_ms, replicas.last_push_ms
            FROM replicas JOIN users ON users.id = replicas.user_id ORDER BY replicas.id
            """, logger: logger
        ).collect().map { row in
            let (replica, user, last, offset, pushed) = try row.decode((String, String, Int64, Int64?, Int64?).self)
            return ReplicaStats(replica: replica, user: user, lastSeq: last, clockOffsetMs: offset, lastPushMs: pushed)
        }
    }

    public func latestHLC() async throws -> HLCTimestamp? {
        try await client.query("SELECT hlc FROM history ORDER BY seq DESC LIMIT 1", logger: logger).collect().first
            .flatMap { try? HLCTimestamp(parsing: try $0.decode(String.self)) }
    }
}
