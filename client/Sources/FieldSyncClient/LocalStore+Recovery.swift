import FieldSyncModel
import Foundation
import GRDB

/// Recovery from what real laptops and servers go through: a data folder copied or restored (two installs on one
/// replica id), a server restored from a backup (it lost what it had acknowledged), a clock that ran ahead and was
/// corrected. Each step is one transaction, so a kill at any moment leaves the step done or not begun.
extension LocalStore {
    /// How long acknowledged mutations are kept to re-offer to a restored server, by default.
    public static let defaultRetentionDays = 30

    // MARK: - A copied or restored data folder

    /// Takes a new replica id when this folder's fingerprint (machine and path) is not the one it was made with:
    /// the folder was copied to another machine or folder. What was queued before the copy keeps the old id (the
    /// original install has the same mutations, and whichever sends them first wins: the other gets `duplicate`);
    /// every new edit uses the new id.
    func adoptCopiedFolder(fingerprint: String) throws {
        // Read first: every command opens the store, and most must not take the write lock for nothing.
        guard try db.read({ try Self.meta($0, "fingerprint") }) != fingerprint else { return }
        try db.write { db in
            guard let stored = try Self.meta(db, "fingerprint") else {
                try Self.setMeta(db, "fingerprint", fingerprint)
                return
            }
            guard stored != fingerprint else { return }
            let seq = UInt64(try Self.meta(db, "next_seq").flatMap { UInt64($0) } ?? 1)
            let (old, new) = try takeNewReplica(fromSeq: seq, db)
            try Self.setMeta(db, "fingerprint", fingerprint)
            try Self.addNotice(
                "This data folder was copied from another machine or folder: this install now uses replica id \(new)"
                    + " (the original keeps \(old)), so the edits of both reach the server.", db)
        }
    }

    /// Moves this laptop to a new replica id for every mutation from `seq` on: unacknowledged pending mutations are
    /// rewritten under it (their write ids and the bases naming them), the view is rebuilt, and the new id waits
    /// to be registered. Returns the old and new ids.
    func takeNewReplica(fromSeq seq: UInt64, _ db: Database) throws -> (old: ReplicaID, new: ReplicaID) {
        let old = try Self.replica(db)
        let new = ReplicaID(trusted: Self.newReplicaID(ids))
        let rows = try Row.fetchAll(
            db, sql: "SELECT seq, mutation FROM pending WHERE seq >= ? AND acked_change_seq IS NULL ORDER BY seq",
            arguments: [Int64(seq)])
        var touched: [RecordID] = []
        for row in rows {
            let mutation = try Self.mutation(row["mutation"] as Data)
            guard mutation.replica == old else { continue }
            let moved = mutation.renamed(from: old, to: new, fromSeq: seq)
            try db.execute(
                sql: "UPDATE pending SET mutation = ?, receipt = NULL WHERE seq = ?",
                arguments: [Data(moved.compactJSON()), row["seq"] as Int64])
            touched += mutation.records
        }
        try Self.setMeta(db, "replica", new.rawValue)
        try Self.setMeta(db, "replica_first_seq", String(seq))
        try Self.setMeta(db, "replica_registered", nil)
        try recompute(touched, db)
        return (old, new)
    }

    /// The registration a new replica id still needs before its first push, if any.
    public func pendingRegistration() throws -> ReplicaRequest? {
        try db.read { db in
            guard try Self.meta(db, "replica_registered") != "1" else { return nil }
            return ReplicaRequest(
                replica: try Self.replica(db),
                firstSeq: try Self.meta(db, "replica_first_seq").flatMap { UInt64($0) } ?? 1)
        }
    }

    /// Records that the server has registered `replica`.
    public func markRegistered(_ replica: ReplicaID) throws {
        try db.write { db in
            if replica == (try Self.replica(db)) { try Self.setMeta(db, "replica_registered", "1") }
        }
    }

    /// Handles the server's `replica_cloned` answer at `seq`: another install used this replica id for different
    /// changes, so this laptop takes a new id and will send again, under it, everything it has not had acknowledged.
    func replicaCloned(atSeq seq: UInt64, _ db: Database) throws {
        let (old, new) = try takeNewReplica(fromSeq: seq, db)
        let count =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM pending WHERE seq >= ? AND acked_change_seq IS NULL",
                arguments: [Int64(seq)]) ?? 0
        try Self.addNotice(
            "Another install (a copy or a restore of this data folder) used replica id \(old) for different changes:"
                + " this laptop now uses \(new) and sends its \(Self.changes(count, "unsynced")) again under it.", db)
    }

    // MARK: - A server restored from a backup

    /// Notes the server generation an answer carried: a change means the server was restored from a backup, and
    /// the next sync heals it.
    func noteGeneration(_ generation: String?, _ db: Database) throws {
        guard let generation else { return }
        let known = try Self.meta(db, "server_generation")
        if let known, known != generation { try Self.setMeta(db, "heal_needed", "1") }
        try Self.setMeta(db, "server_generation", generation)
    }

    /// Whether the server has lost what it acknowledged (restored from a backup) and this laptop must re-offer it.
    public func healNeeded() throws -> Bool {
        try db.read { try Self.meta($0, "heal_needed") == "1" }
    }

    /// For each replica id this laptop holds mutations of (kept acknowledged ones and pending ones), the lowest seq
    /// it holds: the server is told it will never see the seqs below, and answers what it still has.
    public func healRequests() throws -> [ReplicaRequest] {
        try db.read { db in
            var lowest: [ReplicaID: UInt64] = [:]
            for table in ["acked", "pending"] {
                for row in try Row.fetchAll(db, sql: "SELECT seq, mutation FROM \(table)") {
                    let mutation = try Self.mutation(row["mutation"] as Data)
                    lowest[mutation.replica] = min(lowest[mutation.replica] ?? .max, mutation.seq)
                }
            }
            let current = try Self.replica(db)
            if lowest[current] == nil {
                lowest[current] = try Self.meta(db, "next_seq").flatMap { UInt64($0) } ?? 1
            }
            return lowest.sorted { $0.value < $1.value }.map { ReplicaRequest(replica: $0.key, firstSeq: $0.value) }
        }
    }

    /// Puts back into the pending queue every mutation of `replica` above `serverSeq` (what the restored server no
    /// longer holds): kept acknowledged ones and acknowledged ones not yet retired. Returns how many.
    func reoffer(_ replica: ReplicaID, above serverSeq: UInt64, _ db: Database) throws -> Int {
        var count = 0
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM acked WHERE seq > ? ORDER BY seq", arguments: [Int64(serverSeq)])
        {
            let mutation = try Self.mutation(row["mutation"] as Data)
            guard mutation.replica == replica else { continue }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO pending(seq, mutation, summary, created_ms, receipt, schema_version, stand_in,
                        first_record, kind)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    row["seq"] as Int64, row["mutation"] as Data, row["summary"] as String, now(),
                    row["receipt"] as String?, row["schema_version"] as Int, mutation.writes.isEmpty,
                    mutation.writes.first?.record.rawValue, PendingGroup.kind(of: mutation),
                ])
            for record in mutation.records {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO pending_records(record, seq) VALUES (?, ?)",
                    arguments: [record.rawValue, row["seq"] as Int64])
            }
            try db.execute(sql: "DELETE FROM acked WHERE seq = ?", arguments: [row["seq"] as Int64])
            count += mutation.writes.isEmpty ? 0 : 1
        }
        for row in try Row.fetchAll(
            db, sql: "SELECT seq, mutation FROM pending WHERE seq > ? AND acked_change_seq IS NOT NULL",
            arguments: [Int64(serverSeq)])
        {
            let mutation = try Self.mutation(row["mutation"] as Data)
            guard mutation.replica == replica else { continue }
            try db.execute(
                sql: "UPDATE pending SET acked_change_seq = NULL WHERE seq = ?", arguments: [row["seq"] as Int64])
            count += 1
        }
        return count
    }

    /// Re-offers to a restored server what it lost: `held` is the server's answer per replica (the last seq it held
    /// before it was told which seqs this laptop no longer has, and the last it holds now). The pull starts from the beginning and every shown record is rebuilt; until the queue is empty, a
    /// re-offer refused because it builds on another laptop's lost work waits for that laptop (`waitForHealing`).
    /// What had left the retention window is reported, not re-offered.
    public func heal(held: [ReplicaResponse]) throws -> String {
        try db.write { db in
            var reoffered = 0
            for entry in held { reoffered += try reoffer(entry.replica, above: entry.lastSeq, db) }
            // Synced, forgotten past the window, and not held by the restored server: lost, and said so.
            let forgotten = try Self.forgotten(db)
            let lost = held.reduce(0) { total, entry in
                let through = forgotten[entry.replica.rawValue] ?? 0
                return total + Int(through > entry.heldSeq ? through - entry.heldSeq : 0)
            }
            try Self.setMeta(db, "cursor", nil)
            try Self.setMeta(db, "upgrade_cursor", nil)
            try Self.setMeta(db, "pass_active", nil)
            try db.execute(sql: "DELETE FROM pass_seen")
            try db.execute(sql: "UPDATE records SET version = 0")
            try recompute(
                try String.fetchAll(db, sql: "SELECT DISTINCT record FROM pending_records").map {
                    RecordID(trusted: $0)
                }, db)
            try Self.setMeta(db, "heal_needed", nil)
            try Self.setMeta(db, "healing", reoffered > 0 ? "1" : nil)
            var notice =
                "The server was restored from a backup: this laptop re-offers the \(Self.changes(reoffered)) it had"
                + " synced that the server lost, and pulls everything again."
            if lost > 0 {
                notice +=
                    " \(Self.changes(lost, "older")) had left the \(try retentionDays(db))-day retention window and could"
                    + " not be re-offered: check the records you changed before then."
            }
            try Self.addNotice(notice, db)
            return notice
        }
    }

    /// Refusals of re-offered work that another laptop's re-offer may cure: the record, the write built on, or the
    /// customer referenced was lost by the restore too, and comes back when its laptop syncs.
    static let waitsForHealing: Set<ErrorCode> = [.unknownRecord, .unknownBase, .missingReference]

    /// How many syncs a refused re-offer is retried by itself before it stays with the user.
    static let healingRetries = 5

    /// Lists a refused re-offer to be sent again, by itself, at the next syncs.
    func waitForHealing(_ seq: UInt64, _ db: Database) throws {
        var waiting = try Self.healingWaits(db)
        waiting[String(seq)] = waiting[String(seq)] ?? 0
        try Self.setMeta(db, "heal_waiting", String(decoding: try JSONEncoder().encode(waiting), as: UTF8.self))
    }

    static func healingWaits(_ db: Database) throws -> [String: Int] {
        try meta(db, "heal_waiting").flatMap { try? JSONDecoder().decode([String: Int].self, from: Data($0.utf8)) }
            ?? [:]
    }

    static func healRetries(_ db: Database) throws -> [UInt64: UInt64] {
        try meta(db, "heal_retried").flatMap {
            try? JSONDecoder().decode([UInt64: UInt64].self, from: Data($0.utf8))
        } ?? [:]
    }

    /// Which refused re-offers were sent again by themselves, and under which new seq (old seq → new seq).
    public func healRetries() throws -> [UInt64: UInt64] {
        try db.read { try Self.healRetries($0) }
    }

    /// Sends again the refused re-offers that wait for other laptops to heal the server: each becomes a new pending
    /// mutation (as `fieldsync rejected retry` does) until it is accepted or has been tried `healingRetries` times;
    /// one whose record this laptop does not show yet waits for a later sync. Returns whether any was queued.
    @discardableResult
    public func retryWaitingForHealing() throws -> Bool {
        try db.write { db in
            var waiting = try Self.healingWaits(db)
            guard !waiting.isEmpty else { return false }
            var next: [String: Int] = [:]
            var queued = false
            for (seq, tries) in waiting.sorted(by: { $0.key < $1.key }) {
                guard tries < Self.healingRetries, let number = UInt64(seq),
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM rejected WHERE seq = ?", arguments: [seq]) == 1
                else { continue }
                let savepoint = "retry_\(number)"
                try db.execute(sql: "SAVEPOINT \(savepoint)")
                do {
                    let retried = try retryRejected(number, db)
                    try db.execute(sql: "RELEASE \(savepoint)")
                    var chain = try Self.healRetries(db)
                    chain[number] = retried.seq
                    try Self.setMeta(
                        db, "heal_retried", String(decoding: try JSONEncoder().encode(chain), as: UTF8.self))
                    next[String(retried.seq)] = tries + 1
                    queued = true
                } catch {
                    try db.execute(sql: "ROLLBACK TO \(savepoint)")
                    try db.execute(sql: "RELEASE \(savepoint)")
                    next[seq] = tries + 1
                }
            }
            waiting = next
            try Self.setMeta(
                db, "heal_waiting",
                waiting.isEmpty ? nil : String(decoding: try JSONEncoder().encode(waiting), as: UTF8.self))
            return queued
        }
    }

    /// Marks that the server has lost acknowledged mutations though its generation did not change (a database file
    /// copied back by hand): it answered a seq below what this laptop had acknowledged.
    func serverBehind(_ serverSeq: UInt64, _ db: Database) throws -> Bool {
        let replica = try Self.replica(db)
        var held: [UInt64] = []
        for table in ["acked", "pending WHERE acked_change_seq IS NOT NULL"] {
            for data in try Data.fetchAll(db, sql: "SELECT mutation FROM \(table)") {
                let mutation = try Self.mutation(data)
                if mutation.replica == replica { held.append(mutation.seq) }
            }
        }
        guard let highest = held.max(), highest > serverSeq else { return false }
        try Self.setMeta(db, "heal_needed", "1")
        return true
    }

    // MARK: - Retention

    /// How many days acknowledged mutations are kept.
    public func retentionDays() throws -> Int {
        try db.read { try retentionDays($0) }
    }

    func retentionDays(_ db: Database) throws -> Int {
        try Self.meta(db, "retention_days").flatMap { Int($0) } ?? Self.defaultRetentionDays
    }

    /// The synced mutations kept for the window, by seq, as they were last sent (under the replica id that sent them).
    public func keptMutations() throws -> [UInt64: Mutation] {
        try db.read { db in
            var kept: [UInt64: Mutation] = [:]
            for data in try Data.fetchAll(db, sql: "SELECT mutation FROM acked") {
                let mutation = try Self.mutation(data)
                if !mutation.writes.isEmpty { kept[mutation.seq] = mutation }
            }
            return kept
        }
    }

    /// Sets how many days acknowledged mutations are kept (at least 1).
    public func setRetentionDays(_ days: Int) throws {
        guard days >= 1 else {
            throw ClientError(.invalidArgument, "The retention window is at least 1 day; \(days) is not.")
        }
        try db.write { try Self.setMeta($0, "retention_days", String(days)) }
    }

    /// Keeps a retired mutation (a refused one as a mutation without writes) for the retention window, with the
    /// server's receipt for it and the schema version it was made under.
    func keep(
        _ mutation: Mutation, summary: String, receipt: String? = nil, schemaVersion: Int = 1, _ db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO acked(seq, mutation, summary, acked_ms, receipt, schema_version)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                Int64(mutation.seq), Data(mutation.compactJSON()), summary, now(), receipt, schemaVersion,
            ])
    }

    /// Forgets kept mutations older than the window, remembering per replica id the highest seq forgotten (a
    /// restored server that lost it is reported to the user).
    func forgetPastWindow(_ db: Database) throws {
        let cutoff = now() - Int64(try retentionDays(db)) * 86_400_000
        let old = try Data.fetchAll(db, sql: "SELECT mutation FROM acked WHERE acked_ms < ?", arguments: [cutoff])
        guard !old.isEmpty else { return }
        var forgotten = try Self.forgotten(db)
        for data in old {
            let mutation = try Self.mutation(data)
            forgotten[mutation.replica.rawValue] = max(forgotten[mutation.replica.rawValue] ?? 0, mutation.seq)
        }
        try Self.setMeta(db, "forgotten", String(decoding: try JSONEncoder().encode(forgotten), as: UTF8.self))
        try db.execute(sql: "DELETE FROM acked WHERE acked_ms < ?", arguments: [cutoff])
    }

    /// Per replica id, the highest synced seq forgotten past the window.
    static func forgotten(_ db: Database) throws -> [String: UInt64] {
        try meta(db, "forgotten").flatMap { try? JSONDecoder().decode([String: UInt64].self, from: Data($0.utf8)) }
            ?? [:]
    }

    // MARK: - A clock that was corrected

    /// Whether the clock this laptop resumes from is ahead of its own wall clock by more than the skew bound: the
    /// wall clock was set back, and the next sync asks the server's time to see if the stored clock is wrong.
    public func clockAheadOfWall() throws -> Bool {
        try db.read { db in
            try clock(db).last.wallMs > now() + HybridLogicalClock.defaultMaxForwardSkewMs
        }
    }

    /// Brings the clock back when it is ahead of both the wall clock and the server's (`serverHLC`) by more than the
    /// skew bound, restamping every unsent mutation and every one refused for skew, so they are accepted now; order
    /// is kept by bases, not by the clock. Returns how many mutations were restamped (0: the clock was left alone).
    @discardableResult
    public func correctClock(serverHLC: HLCTimestamp) throws -> Int {
        try db.write { db in
            let bound = HybridLogicalClock.defaultMaxForwardSkewMs
            let stored = try clock(db).last
            let truth = max(now(), serverHLC.wallMs)
            guard stored.wallMs > truth + bound else { return 0 }
            let replica = try Self.replica(db)
            var clock = HybridLogicalClock(
                replica: replica, maxForwardSkewMs: .max / 2,
                resumingAfter: HLCTimestamp(wallMs: truth, counter: 0, replica: replica))
            var touched: [RecordID] = []
            var count = 0
            for (table, filter) in [
                ("pending", "acked_change_seq IS NULL"), ("rejected", "code = '\(ErrorCode.clockSkew.rawValue)'"),
            ] {
                for row in try Row.fetchAll(db, sql: "SELECT seq, mutation FROM \(table) WHERE \(filter) ORDER BY seq")
                {
                    let mutation = try Self.mutation(row["mutation"] as Data)
                    let restamped = Mutation(
                        replica: mutation.replica, seq: mutation.seq, hlc: clock.now(physicalMs: truth),
                        writes: mutation.writes)
                    try db.execute(
                        sql: "UPDATE \(table) SET mutation = ? WHERE seq = ?",
                        arguments: [Data(restamped.compactJSON()), row["seq"] as Int64])
                    touched += mutation.records
                    count += 1
                }
            }
            try Self.setMeta(db, "hlc", clock.last.description)
            try recompute(touched, db)
            try Self.addNotice(
                "This laptop's clock had run ahead (to \(Date(timeIntervalSince1970: Double(stored.wallMs) / 1000)))"
                    + " and was"
                    + " corrected: \(Self.changes(count, "unsent or refused")) restamped; `fieldsync rejected retry`"
                    + " now sends refused ones.", db)
            return count
        }
    }

    // MARK: - Notices

    /// "1 change", "3 unsynced changes": a count of changes for a notice.
    static func changes(_ count: Int, _ kind: String = "") -> String {
        counted(count, (kind.isEmpty ? "" : kind + " ") + "change")
    }

    /// Stores a message for the user, shown once by the next command.
    static func addNotice(_ text: String, _ db: Database) throws {
        var notices =
            try meta(db, "notices").flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
            ?? []
        notices.append(text)
        try setMeta(db, "notices", String(decoding: try JSONEncoder().encode(notices), as: UTF8.self))
    }

    /// The messages waiting for the user, cleared as they are read.
    public func takeNotices() throws -> [String] {
        guard try db.read({ try Self.meta($0, "notices") }) != nil else { return [] }
        return try db.write { db in
            let notices =
                try Self.meta(db, "notices").flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
                ?? []
            try Self.setMeta(db, "notices", nil)
            return notices
        }
    }
}

extension Mutation {
    /// The mutation moved from replica `old` to `new`: its own write ids, and every base naming a write of `old` at
    /// or after `fromSeq` (the other moved mutations), follow it.
    func renamed(from old: ReplicaID, to new: ReplicaID, fromSeq: UInt64) -> Mutation {
        func move(_ id: WriteID) -> WriteID {
            id.replica == old && id.seq >= fromSeq ? WriteID(replica: new, seq: id.seq, index: id.index) : id
        }
        return Mutation(
            replica: new, seq: seq, hlc: HLCTimestamp(wallMs: hlc.wallMs, counter: hlc.counter, replica: new),
            writes: writes.map { $0.withBases($0.bases.map(move)) })
    }
}

extension Write {
    /// The same write with other bases (writes without bases are returned as they are).
    func withBases(_ bases: [WriteID]) -> Write {
        switch self {
        case .set(let record, let field, let value, _): .set(record: record, field: field, value: value, bases: bases)
        case .remove(let record, let field, let element, _):
            .remove(record: record, field: field, element: element, bases: bases)
        case .delete(let record, _): .delete(record: record, bases: bases)
        case .restore(let record, _): .restore(record: record, bases: bases)
        case .create, .add, .note, .merge: self
        }
    }
}
