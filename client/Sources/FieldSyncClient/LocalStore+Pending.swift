import FieldSyncModel
import Foundation
import GRDB

/// An edit made on this laptop and not yet acknowledged by the server (`fieldsync pending`).
public struct PendingEdit: Sendable, Codable {
    /// Its number (the mutation's seq).
    public let seq: UInt64
    /// What it does.
    public let summary: String
    /// The records it writes.
    public let records: [String]
    /// When it was made, in ms since 1970.
    public let madeMs: Int64
}

extension LocalStore {
    /// Edits not yet acknowledged, oldest first; undone ones (stand-ins) are left out. One query, however many.
    public func pendingEdits() throws -> [PendingEdit] { try db.read(Self.pendingEdits) }

    /// Takes back pending edit `seq` before it is sent, and shows the records as they were without it.
    ///
    /// Its number stays taken (the server expects every number in turn): a stand-in without writes goes in its
    /// place, which the server refuses and the laptop then forgets. An edit a sync may already have sent, or one a
    /// later pending edit builds on, cannot be undone; the error says what to do instead.
    public func undoPending(_ seq: UInt64) throws -> PendingEdit {
        try db.write { db in
            guard
                let edit = try Self.pendingEdits(db).first(where: { $0.seq == seq })
            else {
                throw ClientError(.notFound, "No pending edit #\(seq): see `fieldsync pending`.")
            }
            if let offered = try Self.meta(db, "offered_seq").flatMap(UInt64.init), seq <= offered {
                throw ClientError(
                    .invalidArgument,
                    "Edit #\(seq) may already be on the server (a sync sent it and was cut off): run `fieldsync sync`,"
                        + " then change the record back.")
            }
            let later = try Self.pendingEdits(db).filter {
                $0.seq > seq && !Set($0.records).isDisjoint(with: edit.records)
            }
            if let next = later.last {
                throw ClientError(
                    .invalidArgument,
                    "Edit #\(next.seq) (\(next.summary)) changes the same record after it: undo #\(next.seq) first.")
            }
            let mutation = try JSONDecoder().decode(
                Mutation.self,
                from: try Data.fetchOne(db, sql: "SELECT mutation FROM pending WHERE seq = ?", arguments: [Int64(seq)])
                    ?? Data())
            // A record the edit created may be named by a later one (a contact of a new customer).
            for case .create(let record, _) in mutation.writes {
                guard
                    let user = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT seq, summary FROM pending WHERE seq > ? AND stand_in = 0 AND acked_change_seq IS NULL
                            AND instr(CAST(mutation AS TEXT), ?) > 0 ORDER BY seq DESC LIMIT 1
                            """, arguments: [Int64(seq), "\"" + record.rawValue + "\""])
                else { continue }
                throw ClientError(
                    .invalidArgument,
                    "Edit #\(user["seq"] as Int64) (\(user["summary"] as String)) names what #\(seq) added: undo"
                        + " #\(user["seq"] as Int64) first.")
            }
            let standIn = Mutation(replica: mutation.replica, seq: mutation.seq, hlc: mutation.hlc, writes: [])
            try db.execute(
                sql: "UPDATE pending SET mutation = ?, stand_in = 1 WHERE seq = ?",
                arguments: [Data(standIn.compactJSON()), Int64(seq)])
            try db.execute(sql: "DELETE FROM pending_records WHERE seq = ?", arguments: [Int64(seq)])
            try recompute(mutation.records, db)
            return edit
        }
    }

    static func pendingEdits(_ db: Database) throws -> [PendingEdit] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT p.seq, p.summary, p.created_ms,
                    (SELECT group_concat(record, ' ') FROM
                        (SELECT record FROM pending_records WHERE seq = p.seq ORDER BY record)) AS records
                FROM pending p WHERE p.acked_change_seq IS NULL AND p.stand_in = 0 ORDER BY p.seq
                """
        ).map { row in
            PendingEdit(
                seq: UInt64(row["seq"] as Int64), summary: row["summary"],
                records: (row["records"] as String?)?.split(separator: " ").map(String.init) ?? [],
                madeMs: row["created_ms"])
        }
    }

    /// Notes that a push is about to send the pending edits up to `seq`: from then on they cannot be undone.
    static func markOffered(through seq: UInt64, _ db: Database) throws {
        let offered = try meta(db, "offered_seq").flatMap(UInt64.init) ?? 0
        if seq > offered { try setMeta(db, "offered_seq", String(seq)) }
    }
}
