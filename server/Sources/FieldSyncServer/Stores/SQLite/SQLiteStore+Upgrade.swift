import FieldSyncModel
import Foundation
import GRDB

/// What `fieldsync-server migrate` reads and writes (`SyncStore.upgradeStoredData`).
extension SQLiteStore {
    public func countRecords(of entities: [String]) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM records WHERE entity IN \(Self.placeholders(entities.count))",
                arguments: StatementArguments(entities)) ?? 0
        }
    }

    public func storedStates(of entities: [String], after: String, limit: Int) async throws -> [StoredState] {
        let arguments: StatementArguments = StatementArguments(entities) + [after, limit]
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, entity, state FROM records WHERE entity IN \(Self.placeholders(entities.count))
                    AND id > ? ORDER BY id LIMIT ?
                    """, arguments: arguments
            ).map { StoredState(id: $0["id"], entity: $0["entity"], state: [UInt8]($0["state"] as Data)) }
        }
    }

    public func upgrade(_ batch: StoredDataBatch) async throws -> (replaced: Int, historyRows: Int) {
        try await pool.write { db in
            var done = (replaced: 0, historyRows: 0)
            for (id, old, new) in batch.rewrites {
                try db.execute(
                    sql: "UPDATE records SET state = ? WHERE id = ? AND state = ?",
                    arguments: [Data(new), id, Data(old)])
                done.replaced += db.changesCount
            }
            for (records, field, name) in batch.historyRenames {
                try db.execute(
                    sql:
                        "UPDATE history SET field = ? WHERE record IN \(Self.placeholders(records.count)) AND field = ?",
                    arguments: [name] + StatementArguments(records) + [field])
                done.historyRows += db.changesCount
            }
            return done
        }
    }

    /// `(?, ?, …)` with `count` placeholders.
    static func placeholders(_ count: Int) -> String {
        "(" + Array(repeating: "?", count: count).joined(separator: ", ") + ")"
    }
}
