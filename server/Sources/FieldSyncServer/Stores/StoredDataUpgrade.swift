import FieldSyncModel
import Foundation

/// What `fieldsync-server migrate` rewrites: record states and history rows stored under old names of renamed fields
/// (`SchemaChange.renamedField`), so the stored data reads as the current schema version without translation.
///
/// Servers read old names as the current ones whether or not this has run, so it runs while they serve: each batch
/// is its own short transaction, and a state is replaced only if it is still the one read (a push that changed it
/// meanwhile already wrote it under current names). A killed run loses nothing; run again, it skips what is done.
public struct StoredDataUpgrade: Sendable {
    /// The entities whose states may hold old names, with the byte strings that show one.
    let markers: [EntityKind: [[UInt8]]]
    /// Each rename: entity, old name, current name.
    let renames: [(entity: EntityKind, old: String, new: String)]

    /// The upgrade to `schema` (FieldSync's newest by default).
    public init(to schema: Schema = .fieldSync) {
        markers = RecordState.oldNameMarkers(in: schema)
        renames = schema.aliases.keys.sorted { $0.rawValue < $1.rawValue }.flatMap { entity in
            schema.aliases[entity]!.sorted { $0.key < $1.key }.map { (entity, $0.key, $0.value) }
        }
    }

    /// The batch that upgrades `rows`: the states holding an old name rewritten, and every rename applied to the
    /// history of the rows of its entity (history rows are renamed whether or not the state needed it).
    func batch(_ rows: [StoredState]) throws -> StoredDataBatch {
        var batch = StoredDataBatch()
        for row in rows {
            if let new = try rewrite(row.state, of: row.entity) { batch.rewrites.append((row.id, row.state, new)) }
        }
        for rename in renames {
            let records = rows.filter { $0.entity == rename.entity.rawValue }.map(\.id)
            if !records.isEmpty { batch.historyRenames.append((records, rename.old, rename.new)) }
        }
        return batch
    }

    /// The entities to scan, by their stored names.
    var entities: [String] { markers.keys.map(\.rawValue).sorted() }

    /// `state` (stored compact JSON of a record of `entity`) under current names, or `nil` when it holds no old one.
    func rewrite(_ state: [UInt8], of entity: String) throws -> [UInt8]? {
        guard let kind = EntityKind(rawValue: entity), let markers = markers[kind],
            PullEncoder.holds(state, anyOf: markers)
        else { return nil }
        // Decoding reads old names as current ones (`RecordState.renameOldFields`); writing back stores them so.
        return try JSONDecoder().decode(RecordState.self, from: Data(state)).compactJSON()
    }
}

/// A record's state as stored, read for `fieldsync-server migrate`.
public struct StoredState: Sendable, Equatable {
    /// The record.
    public let id: String
    /// Its entity, as stored.
    public let entity: String
    /// Its state's compact JSON, as stored.
    public let state: [UInt8]
}

extension SyncStore {
    /// Rewrites what was stored under older schema versions (`StoredDataUpgrade`): `batchSize` records at a time,
    /// each batch (states and the history rows of its records) in one short transaction while servers keep serving;
    /// calls `progress` after each batch and returns the final report. Cancelled, it stops between batches.
    public func upgradeStoredData(
        _ upgrade: StoredDataUpgrade, batchSize: Int, progress: @Sendable (StoredDataUpgradeProgress) -> Void
    ) async throws -> StoredDataUpgradeProgress {
        var report = StoredDataUpgradeProgress()
        let entities = upgrade.entities
        guard !entities.isEmpty else { return report }
        report.total = try await countRecords(of: entities)
        var after = ""
        while true {
            try Task.checkCancellation()
            let rows = try await storedStates(of: entities, after: after, limit: batchSize)
            guard let last = rows.last else { break }
            let batch = try upgrade.batch(rows)
            let done = try await self.upgrade(batch)
            report.scanned += rows.count
            report.rewritten += done.replaced
            report.changedMeanwhile += batch.rewrites.count - done.replaced
            report.historyRows += done.historyRows
            after = last.id
            progress(report)
        }
        return report
    }
}

/// One batch of `fieldsync-server migrate`: states to replace, and fields to rename in the history of records.
public struct StoredDataBatch: Sendable {
    /// Each record's state as read and as rewritten.
    public var rewrites: [(id: String, old: [UInt8], new: [UInt8])] = []
    /// Field renames in the history rows of `records`.
    public var historyRenames: [(records: [String], field: String, to: String)] = []

    /// Creates an empty batch.
    public init() {}
}

/// How far `fieldsync-server migrate` has come.
public struct StoredDataUpgradeProgress: Sendable, Equatable {
    /// Records of the renamed fields' entities, when the run began.
    public var total = 0
    /// Records read so far.
    public var scanned = 0
    /// Records rewritten under current names.
    public var rewritten = 0
    /// Records a push changed between the read and the rewrite (already stored under current names).
    public var changedMeanwhile = 0
    /// History rows renamed.
    public var historyRows = 0

    /// Creates an empty report.
    public init() {}

    /// One line for the operator.
    public var line: String {
        let percent = total == 0 ? 100 : min(100, scanned * 100 / total)
        return "\(scanned) of \(total) records read (\(percent) %), \(rewritten) rewritten,"
            + " \(historyRows) history rows renamed"
    }
}
