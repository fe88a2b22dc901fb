import FieldSyncModel
import Foundation
import GRDB

/// A record as this laptop shows it.
public struct LocalRecord: Sendable {
    /// The record.
    public let id: RecordID
    /// Its rebased state.
    public let state: RecordState
    /// Whether it has edits not yet confirmed by the server.
    public let pending: Bool

    /// The entity.
    public var entity: EntityKind { state.entity ?? .customer }
}

/// A mutation the server refused, kept until the user retries or discards it.
public struct RejectedMutation: Sendable, Codable {
    /// Its seq.
    public let seq: UInt64
    /// What it did.
    public let summary: String
    /// The server's code.
    public let code: ErrorCode
    /// The server's reason.
    public let reason: String
    /// The mutation itself.
    public let mutation: Mutation
}

extension LocalStore {
    /// Finds a record by id, unique id prefix, or exact name/title (optionally of one entity); a reference to a
    /// customer merged into another finds the one kept.
    public func resolve(_ reference: String, entity: EntityKind? = nil) throws -> RecordID {
        try resolveFollowingMerges(reference, entity: entity).id
    }

    /// Finds a record as `resolve` does, and says which merged record the reference named when it led to the record
    /// kept (`mergedFrom`), so the user can be told.
    public func resolveFollowingMerges(_ reference: String, entity: EntityKind? = nil) throws -> (
        id: RecordID, mergedFrom: RecordID?
    ) {
        do {
            return (try resolveLive(reference, entity: entity), nil)
        } catch let error as ClientError where error.code == .notFound {
            return try db.read { db in
                let filter = entity.map { " AND entity = '\($0.rawValue)'" } ?? ""
                let merged = try String.fetchAll(
                    db,
                    sql: """
                        SELECT id FROM records WHERE merged_into IS NOT NULL\(filter)
                        AND (id = ?1 OR label = ?1 OR (?2 AND substr(id, 1, length(?1)) = ?1)) LIMIT 2
                        """, arguments: [reference, Self.isIDPrefix(reference)])
                guard merged.count == 1 else { throw error }
                let from = RecordID(trusted: merged[0])
                return (try Self.survivor(from, db), from)
            }
        }
    }

    private func resolveLive(_ reference: String, entity: EntityKind?) throws -> RecordID {
        try db.read { db in
            let filter = entity.map { " AND entity = '\($0.rawValue)'" } ?? ""
            if let id = try String.fetchOne(
                db, sql: "SELECT id FROM records WHERE id = ? AND live = 1\(filter)", arguments: [reference])
            {
                return RecordID(trusted: id)
            }
            // An id prefix counts from 4 characters after the entity's (`opp` alone is not a prefix of every deal).
            let prefix = Self.isIDPrefix(reference)
            for sql in [
                prefix
                    ? "SELECT id, label FROM records WHERE live = 1 AND substr(id, 1, length(?1)) = ?1\(filter)" : nil,
                "SELECT id, label FROM records WHERE live = 1 AND label = ?1\(filter)",
            ].compactMap({ $0 }) {
                let rows = try Row.fetchAll(db, sql: sql + " ORDER BY id LIMIT 6", arguments: [reference])
                if rows.count == 1 { return RecordID(trusted: rows[0]["id"]) }
                if rows.count > 1 {
                    let candidates = rows.prefix(5).map { row in
                        "\(row["id"] as String) \((row["label"] as String?) ?? "")".trimmingCharacters(in: .whitespaces)
                    }
                    throw ClientError(
                        .ambiguous,
                        "'\(reference)' matches several records: \(candidates.joined(separator: "; "))"
                            + "\(rows.count > 5 ? "; …" : ""). Give more of the id.")
                }
            }
            throw ClientError.noSuchRecord(reference)
        }
    }

    /// Whether `reference` may be an id prefix: an entity prefix, a dash and at least 4 more characters.
    static func isIDPrefix(_ reference: String) -> Bool {
        guard let dash = reference.firstIndex(of: "-") else { return false }
        return reference[reference.index(after: dash)...].count >= 4
    }

    /// The record as shown, if it exists.
    public func record(_ id: RecordID) throws -> LocalRecord? {
        try db.read { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT id, coalesce(local, confirmed) AS state, local IS NOT NULL AS pending FROM records WHERE id = ? AND live = 1",
                arguments: [id.rawValue]
            ).map(Self.localRecord)
        }
    }

    /// Every existing record, of one entity or all.
    public func records(_ entity: EntityKind? = nil) throws -> [LocalRecord] {
        try db.read { db in
            let filter = entity.map { " AND entity = '\($0.rawValue)'" } ?? ""
            return try Row.fetchAll(
                db,
                sql:
                    "SELECT id, coalesce(local, confirmed) AS state, local IS NOT NULL AS pending FROM records WHERE live = 1\(filter) ORDER BY label, id"
            ).map(Self.localRecord)
        }
    }

    static func localRecord(_ row: Row) throws -> LocalRecord {
        LocalRecord(id: RecordID(trusted: row["id"]), state: try state(row["state"]), pending: row["pending"])
    }

    /// Every open conflict this laptop shows, by record.
    public func conflicts() throws -> [Conflict] {
        try db.read { db in
            try Row.fetchAll(
                db,
                // Sorted here, not by SQL: `ORDER BY id` leads SQLite to walk every record in id order instead of the
                // few in the conflicts index (8–13 ms per call on 50,000 records).
                sql: """
                    SELECT id, coalesce(local, confirmed) AS state, local IS NOT NULL AS pending FROM records
                    WHERE live = 1 AND conflicts > 0
                    """
            ).map(Self.localRecord)
        }.sorted { $0.id < $1.id }.flatMap { $0.state.conflicts(of: $0.id, schema: schema) }
    }

    /// How many conflicts each record in conflict has, from the stored count (no state is decoded): a sync compares
    /// these before and after to report new conflicts.
    func conflictCounts() throws -> [String: Int] {
        try db.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, conflicts FROM records WHERE live = 1 AND conflicts > 0") {
                counts[row["id"]] = row["conflicts"]
            }
            return counts
        }
    }

    /// Mutations the server refused.
    public func rejected() throws -> [RejectedMutation] {
        try db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM rejected ORDER BY seq").map(Self.rejected) }
    }

    /// A refused mutation from its stored row.
    static func rejected(_ row: Row) throws -> RejectedMutation {
        RejectedMutation(
            seq: UInt64(row["seq"] as Int64), summary: row["summary"], code: ErrorCode(rawValue: row["code"]),
            reason: row["reason"], mutation: try Self.mutation(row["mutation"] as Data))
    }

    /// Forgets a refused mutation.
    public func discardRejected(_ seq: UInt64) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM rejected WHERE seq = ?", arguments: [Int64(seq)])
            guard db.changesCount > 0 else {
                throw ClientError(.notFound, "No rejected change #\(seq): see `fieldsync rejected`.")
            }
        }
    }

    /// Makes a refused mutation again as a new edit, based on what this laptop shows now; the old entry goes.
    ///
    /// `fix` corrects it first (`fieldsync rejected edit`): it is given the builder and the record the change wrote
    /// first, and names the fields it sets there, whose refused values are then left out.
    @discardableResult
    public func retryRejected(
        _ seq: UInt64, fix: ((RecordID, inout MutationBuilder) throws -> Set<String>)? = nil
    ) throws -> Mutation {
        // One transaction: a kill can leave the refused entry or its retry, never both (a duplicate) or neither.
        try db.write { db in try retryRejected(seq, fix: fix, db) }
    }

    /// Sends a refused change again inside the caller's write transaction `db` (see `retryRejected(_:fix:)`).
    func retryRejected(
        _ seq: UInt64, fix: ((RecordID, inout MutationBuilder) throws -> Set<String>)? = nil, _ db: Database
    ) throws -> Mutation {
        guard
            let entry = try Row.fetchOne(db, sql: "SELECT * FROM rejected WHERE seq = ?", arguments: [Int64(seq)])
                .map(Self.rejected)
        else {
            throw ClientError(.notFound, "No rejected change #\(seq): see `fieldsync rejected`.")
        }
        let mutation = try edit(summary: entry.summary, db) { builder in
            // The fix's writes come after the refused change's own creates, before its other writes.
            var fixed: Set<String> = []
            var fixPending = fix != nil && entry.mutation.records.first != nil
            for write in entry.mutation.writes {
                if fixPending, let first = entry.mutation.records.first {
                    let creates = if case .create = write { true } else { false }
                    if !creates || write.record != first {
                        fixed = try fix!(first, &builder)
                        fixPending = false
                    }
                }
                if case .set(let record, let field, _, _) = write, record == entry.mutation.records.first,
                    fixed.contains(field)
                {
                    continue
                }
                switch write {
                case .create(let record, let entity):
                    if try builder.state(of: record)?.entity == nil {
                        try builder.appendRaw(.create(record: record, entity: entity))
                    }
                case .set(let record, let field, let value, _): try builder.set(record, field, value)
                case .add(let record, let field, let element): try builder.add(record, field, element)
                case .remove(let record, let field, let element, _): try builder.remove(record, field, element)
                case .note(let record, let text): try builder.note(record, text)
                case .delete(let record, _): try builder.delete(record)
                case .restore(let record, _): try builder.restore(record)
                case .merge(let record, let into): try builder.merge(record, into: into)
                }
            }
            if fixPending, let first = entry.mutation.records.first { _ = try fix!(first, &builder) }
            if builder.writes.isEmpty {
                throw ClientError(
                    .invalidArgument,
                    "Change #\(seq) has nothing left to send once fixed: forget it with `fieldsync rejected discard \(seq)`."
                )
            }
        }
        try db.execute(sql: "DELETE FROM rejected WHERE seq = ?", arguments: [Int64(seq)])
        return mutation
    }

    /// What `fieldsync status` shows.
    public func status() throws -> StatusReport {
        try db.read { db in
            let pendingByEntity = try Row.fetchAll(
                db,
                sql: """
                    SELECT records.entity AS entity, count(DISTINCT pending.seq) AS count FROM pending
                    JOIN pending_records ON pending_records.seq = pending.seq
                    LEFT JOIN records ON records.id = pending_records.record
                    WHERE pending.acked_change_seq IS NULL AND pending.stand_in = 0 GROUP BY records.entity
                    """
            ).reduce(into: [String: Int]()) { $0[($1["entity"] as String?) ?? "other"] = $1["count"] }
            return StatusReport(
                replica: try Self.replica(db).rawValue,
                session: try Self.meta(db, "session").flatMap {
                    try? JSONDecoder().decode(SessionInfo.self, from: Data($0.utf8))
                },
                lastPushMs: try Self.meta(db, "last_push_ms").flatMap { Int64($0) },
                lastPullMs: try Self.meta(db, "last_pull_ms").flatMap { Int64($0) },
                pending: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM pending WHERE acked_change_seq IS NULL AND stand_in = 0") ?? 0,
                pendingByEntity: pendingByEntity,
                rejected: try Int.fetchOne(db, sql: "SELECT count(*) FROM rejected") ?? 0,
                records: try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE live = 1") ?? 0,
                conflicts: 0,
                clockOffsetMs: try Self.meta(db, "clock_offset_ms").flatMap { Int64($0) },
                kept: try Int.fetchOne(db, sql: "SELECT count(*) FROM acked") ?? 0,
                retentionDays: try retentionDays(db))
        }
    }
}

/// The figures `fieldsync status` prints.
public struct StatusReport: Codable, Sendable {
    /// This laptop's replica id.
    public var replica: String
    /// Who is logged in.
    public var session: SessionInfo?
    /// The last successful push.
    public var lastPushMs: Int64?
    /// The last successful pull.
    public var lastPullMs: Int64?
    /// Mutations waiting to be pushed.
    public var pending: Int
    /// Waiting mutations by entity.
    public var pendingByEntity: [String: Int]
    /// Mutations the server refused.
    public var rejected: Int
    /// Records on this laptop.
    public var records: Int
    /// Open conflicts.
    public var conflicts: Int
    /// This laptop's wall clock minus the server's at the last push, in ms.
    public var clockOffsetMs: Int64?
    /// Synced changes kept to re-offer to a server restored from a backup.
    public var kept: Int
    /// How many days they are kept.
    public var retentionDays: Int
}
