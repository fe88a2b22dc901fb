import FieldSyncModel
import Foundation
import GRDB

extension LocalStore {
    /// Pending mutations not yet acknowledged, oldest first, at most `limit`, all of one replica id (a push carries
    /// one replica's; after a copy the queue holds the old id's mutations before the new id's).
    public func pendingBatch(limit: Int = 500) throws -> [Mutation] { try pendingPush(limit: limit).mutations }

    /// Like `pendingBatch`, all made under one schema version too, and that version: changes made before the laptop
    /// upgraded go out first, in the version they were made in.
    public func pendingPush(limit: Int = 500) throws -> (mutations: [Mutation], schemaVersion: Int) {
        try db.read { db in try pendingPush(after: 0, limit: limit, db) }
    }

    /// The next push: the pending mutations after seq `after` that `pendingPush` would choose once those up to
    /// `after` are acknowledged, with the server's receipts for any re-offered to a restored server; nil when none
    /// wait. They are marked offered in the same transaction, so an undo can no longer take one back.
    public func offerPending(after: UInt64 = 0, limit: Int = 500) throws -> PendingPush? {
        try db.write { db in
            let (mutations, version) = try pendingPush(after: after, limit: limit, db)
            guard let first = mutations.first?.seq, let last = mutations.last?.seq else { return nil }
            let receipts = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, receipt FROM pending
                    WHERE receipt IS NOT NULL AND acked_change_seq IS NULL AND seq BETWEEN ? AND ?
                    """,
                arguments: [Int64(first), Int64(last)])
            try Self.markOffered(through: last, db)
            let bySeq = receipts.map { (String($0["seq"] as Int64), $0["receipt"] as String) }
            return PendingPush(
                request: PushRequest(mutations: mutations, receipts: Dictionary(bySeq) { first, _ in first }),
                schemaVersion: version)
        }
    }

    /// The pending mutations `pendingPush` chooses, of those after seq `after`, and their schema version.
    private func pendingPush(after: UInt64, limit: Int, _ db: Database) throws -> ([Mutation], Int) {
        let batch = try Row.fetchAll(
            db,
            sql: """
                SELECT mutation, schema_version FROM pending WHERE acked_change_seq IS NULL AND seq > ?
                ORDER BY seq LIMIT ?
                """,
            arguments: [Int64(after), limit]
        ).map {
            (try Self.mutation($0["mutation"] as Data), $0["schema_version"] as Int)
        }
        guard let (first, version) = batch.first else { return ([], schema.version) }
        return (batch.prefix { $0.0.replica == first.replica && $0.1 == version }.map(\.0), version)
    }

    /// Moves the unsent changes made under schema version `version` to the version this laptop speaks, for a server
    /// that no longer reads `version`. Every change between the versions so far only adds (entities, fields, values),
    /// so a change of the older version reads the same in the newer one.
    public func upgradePending(from version: Int) throws {
        try db.write { db in
            try db.execute(
                sql: "UPDATE pending SET schema_version = ? WHERE schema_version = ? AND acked_change_seq IS NULL",
                arguments: [schema.version, version])
        }
    }

    /// How many unacknowledged changes wait, by the entity of the record each first writes and what it does to it
    /// (`add`, `edit`, `note`, `delete`, `keep`, `merge`): what `sync --dry-run` shows. Each change's kind and first
    /// record are stored with it, so 50,000 pending changes are counted without reading their JSON.
    public func pendingOverview() throws -> [PendingGroup] {
        try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT coalesce(r.entity, '') AS entity, p.kind AS kind, count(*) AS count
                    FROM pending p LEFT JOIN records r ON r.id = p.first_record
                    WHERE p.acked_change_seq IS NULL AND p.stand_in = 0 GROUP BY 1, 2
                    """)
        }.map { PendingGroup(entity: $0["entity"], kind: $0["kind"], count: $0["count"]) }.sorted {
            ($0.entity, PendingGroup.order($0.kind)) < ($1.entity, PendingGroup.order($1.kind))
        }
    }

    /// Applies the server's answer to a push in one transaction: acknowledged mutations wait for the pull that brings
    /// them, refused ones move to the rejected list with the server's reason, and the clock advances.
    public func applyPushResults(_ sent: [Mutation], _ response: PushResponse) throws -> PushApplied {
        try db.write { db in
            var outcome = PushApplied()
            let bySeq = Dictionary(sent.map { ($0.seq, $0) }, uniquingKeysWith: { first, _ in first })
            var touched: [RecordID] = []
            let healing = try Self.meta(db, "healing") == "1"
            try noteGeneration(response.generation, db)
            for result in response.results {
                guard let mutation = bySeq[result.seq] else { continue }
                switch result.status {
                case .applied, .duplicate:
                    try db.cachedStatement(
                        sql: "UPDATE pending SET acked_change_seq = ?, receipt = coalesce(?, receipt) WHERE seq = ?"
                    ).execute(arguments: [response.changeSeq, result.receipt, Int64(result.seq)])
                    outcome.acknowledged += 1
                case .rejected where mutation.writes.isEmpty:
                    // A stand-in (for an undone edit, or a seq refused before and re-offered to a restored server):
                    // nothing to show; kept, so a later re-offer has no gap.
                    try keep(mutation, summary: "", db)
                    try removePending(result.seq, db)
                case .rejected:
                    let summary =
                        try String.fetchOne(
                            db, sql: "SELECT summary FROM pending WHERE seq = ?", arguments: [Int64(result.seq)]) ?? ""
                    try keep(
                        Mutation(replica: mutation.replica, seq: mutation.seq, hlc: mutation.hlc, writes: []),
                        summary: summary, db)
                    try db.execute(
                        sql:
                            "INSERT OR REPLACE INTO rejected(seq, mutation, summary, code, reason, at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [
                            Int64(result.seq), Data(mutation.compactJSON()), summary,
                            (result.code ?? .invalidMutation).rawValue,
                            result.reason ?? "Refused by the server.", now(),
                        ])
                    try removePending(result.seq, db)
                    touched += mutation.records
                    outcome.rejected.append((result.seq, summary, result.reason ?? ""))
                    if healing, let code = result.code, Self.waitsForHealing.contains(code) {
                        try waitForHealing(result.seq, db)
                    }
                case .retry where result.code == .replicaCloned:
                    if outcome.clonedAt == nil {
                        outcome.clonedAt = result.seq
                        try replicaCloned(atSeq: result.seq, db)
                    }
                case .retry:
                    if let held = response.replicaSeq, try serverBehind(held, db) {
                        outcome.serverBehind = true
                    } else {
                        outcome.retry.append(result.reason ?? "")
                    }
                }
            }
            try recompute(touched, db)
            try receive(response.hlc, db)
            try Self.setMeta(db, "last_push_ms", String(now()))
            if let offset = response.clockOffsetMs { try Self.setMeta(db, "clock_offset_ms", String(offset)) }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM pending WHERE acked_change_seq IS NULL") == 0 {
                try Self.setMeta(db, "healing", nil)
            }
            return outcome
        }
    }

    /// Moves every pending mutation acknowledged at or below change `changeSeq` to the kept ones, as stored (no
    /// decoding: an import's 50,000 retire in four statements), and returns the records they wrote.
    private func retireAcknowledged(upTo changeSeq: Int64, _ db: Database) throws -> [RecordID] {
        let retired = "SELECT seq FROM pending WHERE acked_change_seq IS NOT NULL AND acked_change_seq <= ?1"
        let records = try String.fetchAll(
            db, sql: "SELECT DISTINCT record FROM pending_records WHERE seq IN (\(retired))", arguments: [changeSeq])
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO acked(seq, mutation, summary, acked_ms, receipt, schema_version)
                SELECT seq, mutation, summary, ?2, receipt, schema_version FROM pending WHERE seq IN (\(retired))
                """, arguments: [changeSeq, now()])
        try db.execute(sql: "DELETE FROM pending_records WHERE seq IN (\(retired))", arguments: [changeSeq])
        try db.execute(sql: "DELETE FROM pending WHERE seq IN (\(retired))", arguments: [changeSeq])
        return records.map(RecordID.init(trusted:))
    }

    private func removePending(_ seq: UInt64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM pending WHERE seq = ?", arguments: [Int64(seq)])
        try db.execute(sql: "DELETE FROM pending_records WHERE seq = ?", arguments: [Int64(seq)])
    }

    /// The cursor to pull from (empty for a fresh laptop). Records pulled under another schema version (the
    /// laptop was upgraded) are pulled again from the beginning, as this version shows them, before the old cursor
    /// is left behind.
    public func cursor() throws -> String {
        try db.read { db in
            guard try pulledUnderAnotherVersion(db) else { return try Self.meta(db, "cursor") ?? "" }
            return try Self.meta(db, "upgrade_cursor") ?? ""
        }
    }

    /// Whether the records here were pulled under a schema version other than the one this laptop speaks.
    private func pulledUnderAnotherVersion(_ db: Database) throws -> Bool {
        guard try Self.meta(db, "cursor") != nil else { return false }
        return try Self.meta(db, "pulled_schema").flatMap { Int($0) } ?? 1 != schema.version
    }

    /// Drops the confirmed state of records the server no longer shows this laptop. A record nothing refers to (no
    /// edit of it or of a record merged into it waits, and it is no redirect) goes at once, all of them in one
    /// statement; returns the others, whose view must be rebuilt from their pending edits.
    private func dropConfirmed(_ ids: [RecordID], _ db: Database) throws -> [RecordID] {
        guard !ids.isEmpty else { return [] }
        let list = Self.jsonList(ids)
        let gone = try Set(
            String.fetchAll(
                db,
                sql: """
                    DELETE FROM records WHERE id IN (SELECT value FROM json_each(?)) AND merged_into IS NULL
                        AND id NOT IN (SELECT record FROM pending_records)
                        AND id NOT IN (SELECT merged_into FROM records WHERE merged_into IS NOT NULL)
                    RETURNING id
                    """, arguments: [list]))
        try db.execute(sql: "DELETE FROM view_stale WHERE id IN (SELECT value FROM json_each(?))", arguments: [list])
        let rebuilt = ids.filter { !gone.contains($0.rawValue) }
        let update = try db.cachedStatement(sql: "UPDATE records SET confirmed = NULL WHERE id = ?")
        for id in rebuilt { try update.execute(arguments: [id.rawValue]) }
        return rebuilt
    }

    /// `ids` as a JSON array, for `json_each` (record ids hold no character JSON escapes).
    static func jsonList(_ ids: [RecordID]) -> String {
        "[" + ids.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
    }

    /// Stores the cursor after a page: during a pull again after an upgrade, apart, until its last page.
    private func storeCursor(_ page: PullResponse, _ db: Database) throws {
        if try pulledUnderAnotherVersion(db) {
            guard !page.more else { return try Self.setMeta(db, "upgrade_cursor", page.cursor) }
            try Self.setMeta(db, "upgrade_cursor", nil)
        }
        try Self.setMeta(db, "cursor", page.cursor)
        try Self.setMeta(db, "pulled_schema", String(schema.version))
    }

    /// Applies one pull page in one transaction: confirmed states replaced, removals dropped, the cursor stored,
    /// acknowledged mutations the pull now covers retired (on its last page), and the view rebased.
    ///
    /// - Parameter raw: the page's bytes as received; each record's state is then stored as sent, not re-encoded.
    @discardableResult
    public func applyPulled(_ page: PullResponse, raw: Data? = nil) throws -> PullApplied {
        let slices = raw.flatMap(PageSlicer.stateRanges).flatMap { $0.count == page.records.count ? $0 : nil }
        return try db.write { db in
            var applied = PullApplied()
            if page.reset {
                try db.execute(sql: "DELETE FROM pass_seen")
                try Self.setMeta(db, "pass_active", "1")
            }
            let passActive = try Self.meta(db, "pass_active") == "1"
            var touched: [RecordID] = []
            // Records whose columns now describe their confirmed state: their view is rebased without decoding it.
            var described = Set<RecordID>()
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO records(id, entity, label, live, territory, version, conflicts, confirmed, merged_into)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET entity = excluded.entity, label = excluded.label, live = excluded.live,
                        territory = excluded.territory, version = excluded.version, conflicts = excluded.conflicts,
                        confirmed = excluded.confirmed, merged_into = excluded.merged_into
                    """)
            let seen = try db.cachedStatement(sql: "INSERT OR IGNORE INTO pass_seen(id) VALUES (?)")
            let stale = try db.cachedStatement(
                sql: "INSERT INTO view_stale(id) VALUES (?) ON CONFLICT(id) DO UPDATE SET described = 1")
            let hasPending = try Set(String.fetchAll(db, sql: "SELECT DISTINCT record FROM pending_records"))
            for (index, record) in page.records.enumerated() {
                let conflicts = Self.conflictCount(record.state)
                let state =
                    slices.map { ranges in
                        let base = raw!.startIndex
                        return raw![(base + ranges[index].lowerBound)..<(base + ranges[index].upperBound)]
                    } ?? Data(record.state.compactJSON())
                try upsert.execute(arguments: [
                    record.id.rawValue, (record.state.entity ?? .customer).rawValue, Self.label(of: record.state),
                    record.state.exists, record.territory, record.version, conflicts, state,
                    record.state.redirect?.rawValue,
                ])
                if passActive { try seen.execute(arguments: [record.id.rawValue]) }
                if record.state.entity != nil { described.insert(record.id) }
                if record.state.redirect != nil {
                    touched.append(record.id)  // a merge arriving moves the merged record's pending edits
                } else if hasPending.contains(record.id.rawValue) {
                    // Its view is rebased on the last page, when the edits the pull covers have retired: a first
                    // sync's records are then only their confirmed state, stored without being read.
                    if page.more, record.state.entity != nil {
                        try stale.execute(arguments: [record.id.rawValue])
                    } else {
                        touched.append(record.id)
                    }
                }
                applied.conflicts += conflicts
            }
            for id in try dropConfirmed(page.removed, db) {
                described.remove(id)
                touched.append(id)
            }
            if passActive && !page.more {
                let stale = try String.fetchAll(
                    db,
                    sql: "SELECT id FROM records WHERE confirmed IS NOT NULL AND id NOT IN (SELECT id FROM pass_seen)")
                touched += try dropConfirmed(stale.map { RecordID(trusted: $0) }, db)
                applied.removed += stale.count
                try db.execute(sql: "DELETE FROM pass_seen")
                try Self.setMeta(db, "pass_active", nil)
            }
            try storeCursor(page, db)
            // Only the last page of a pull has brought every change up to its number: a record an acknowledged
            // mutation wrote may have changed again since, and then arrives on a later page at a higher version.
            if !page.more {
                touched += try retireAcknowledged(upTo: page.changeSeq, db)
                // The records earlier pages stored (a recompute since took a record off the list): their columns
                // describe the confirmed state unless an edit has stored a view since.
                for row in try Row.fetchAll(db, sql: "SELECT id, described FROM view_stale") {
                    let id = RecordID(trusted: row["id"])
                    touched.append(id)
                    if row["described"] == true { described.insert(id) }
                }
            }
            if !page.more { try forgetPastWindow(db) }
            try recompute(touched, described: described, db)
            try receive(page.hlc, db)
            try noteGeneration(page.generation, db)
            try Self.setMeta(db, "last_pull_ms", String(now()))
            applied.records += page.records.count
            applied.removed += page.removed.count
            return applied
        }
    }
}

/// What a push changed locally.
public struct PushApplied: Sendable {
    /// Mutations the server has for good.
    public var acknowledged = 0
    /// Mutations refused: seq, summary, the server's reason.
    public var rejected: [(seq: UInt64, summary: String, reason: String)] = []
    /// Reasons the server asked for a resend.
    public var retry: [String] = []
    /// The seq at which the server answered `replica_cloned`: this laptop has taken a new replica id.
    public var clonedAt: UInt64?
    /// Whether the server answered a seq below what it had acknowledged: it was restored, and the laptop heals it.
    public var serverBehind = false
}

/// What a pull page changed locally.
public struct PullApplied: Sendable {
    /// Records received.
    public var records = 0
    /// Records dropped (deleted, or out of view).
    public var removed = 0
    /// Conflicts on the records received.
    public var conflicts = 0
}

/// Unacknowledged changes of one kind to records of one entity (`LocalStore.pendingOverview`).
public struct PendingGroup: Sendable, Equatable {
    /// The entity of the record the change first writes (empty when the laptop no longer shows it).
    public let entity: String
    /// What the change does: `add`, `merge`, `delete`, `keep`, `edit` or `note`.
    public let kind: String
    /// How many such changes wait.
    public let count: Int

    private static let kinds = ["add", "merge", "delete", "keep", "edit", "note"]

    /// The kind of `mutation`: the strongest of its write operations.
    static func kind(of mutation: Mutation) -> String {
        let ops = Set(mutation.writes.map(\.op))
        if ops.contains("create") { return "add" }
        if ops.contains("merge") { return "merge" }
        if ops.contains("delete") { return "delete" }
        if ops.contains("restore") { return "keep" }
        return ops.isSubset(of: ["note"]) ? "note" : "edit"
    }

    static func order(_ kind: String) -> Int { kinds.firstIndex(of: kind) ?? kinds.count }
}

/// A push about to go out: its request and the schema version its changes were made under.
public struct PendingPush: Sendable {
    /// The mutations and their receipts.
    public let request: PushRequest
    /// The schema version the changes were made under: the push goes out in it.
    public let schemaVersion: Int
}
