import FieldSyncModel
import Foundation
import NIOCore
import PostgresNIO

/// What `fieldsync-server migrate` reads and writes (`SyncStore.upgradeStoredData`).
extension PostgresStore {
    public func countRecords(of entities: [String]) async throws -> Int {
        Int(
            try await client.query("SELECT count(*) FROM records WHERE entity = ANY(\(entities))", logger: logger)
                .collect()[0].decode(Int64.self))
    }

    public func storedStates(of entities: [String], after: String, limit: Int) async throws -> [StoredState] {
        try await client.query(
            """
            SELECT id, entity, state FROM records WHERE entity = ANY(\(entities)) AND id > \(after)
            ORDER BY id LIMIT \(limit)
            """, logger: logger
        ).collect().map { row in
            let (id, entity, state) = try row.decode((String, String, ByteBuffer).self)
            return StoredState(id: id, entity: entity, state: [UInt8](state.readableBytesView))
        }
    }

    public func upgrade(_ batch: StoredDataBatch) async throws -> (replaced: Int, historyRows: Int) {
        try await client.withTransaction(logger: logger) { connection in
            var done = (replaced: 0, historyRows: 0)
            for (id, old, new) in batch.rewrites {
                // The row's latest committed state is compared (READ COMMITTED re-reads it after a concurrent push).
                done.replaced += try await connection.query(
                    """
                    UPDATE records SET state = \(ByteBuffer(bytes: new))
                    WHERE id = \(id) AND state = \(ByteBuffer(bytes: old)) RETURNING id
                    """, logger: logger
                ).collect().count
            }
            for (records, field, name) in batch.historyRenames {
                done.historyRows += try await connection.query(
                    "UPDATE history SET field = \(name) WHERE record = ANY(\(records)) AND field = \(field) RETURNING 1",
                    logger: logger
                ).collect().count
            }
            return done
        }
    }
}
