import FieldSyncModel
import Foundation
import GRDB

/// `PushSource` over an open SQLite write transaction.
struct SQLitePushSource: PushSource {
    let db: Database
    let cache: RecordStateCache
    /// What the earlier pushes of this push's group wrote (`GroupCommit`): a row above the committed change number
    /// may still roll back, so its state is not cached; the group hands it over already decoded.
    let group: GroupCommit.SoFar

    func record(_ id: RecordID) throws -> StoredRecord? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, entity, territory, version, state FROM records WHERE id = ?"),
            arguments: [id.rawValue]
        ).map(decode)
    }

    func children(of customer: RecordID) throws -> [StoredRecord] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, entity, territory, version, state FROM records WHERE customer = ?"),
            arguments: [customer.rawValue]
        ).map(decode)
    }

    func acceptedWrite(_ id: WriteID) throws -> WriteTarget? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT record, op, field, new_value FROM history WHERE write_id = ?"),
            arguments: [id.description]
        ).map {
            try HistoryText.target(record: $0["record"], op: $0["op"], field: $0["field"], newValue: $0["new_value"])
        }
    }

    func receiptKey() throws -> [UInt8]? {
        try SQLiteStore.receiptKey(db)
    }

    func namedUser(_ name: String) throws -> NamedUser? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]) else {
            return nil
        }
        let user = SQLiteStore.user(from: row)
        let team =
            Visibility.dependsOnTeam(user.role)
            ? try String.fetchAll(db, sql: "SELECT territories FROM users WHERE team = ?", arguments: [user.team])
                .flatMap(TerritoryList.decode) : []
        return NamedUser(user: user, teamTerritories: team)
    }

    func lastSeq(of replica: ReplicaID) throws -> UInt64 {
        UInt64(
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_seq FROM replicas WHERE id = ?"), arguments: [replica.rawValue])
                ?? 0)
    }

    func digest(replica: ReplicaID, seq: UInt64) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT digest FROM digests WHERE replica = ? AND seq = ?"),
            arguments: [replica.rawValue, Int64(seq)])
    }

    func rejection(replica: ReplicaID, seq: UInt64) throws -> (code: ErrorCode, reason: String)? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT code, reason FROM rejections WHERE replica = ? AND seq = ?"),
            arguments: [replica.rawValue, Int64(seq)]
        ).map { (ErrorCode(rawValue: $0["code"]), $0["reason"]) }
    }

    func movedTo(_ record: RecordID, from territories: Set<String>) throws -> String? {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT old_territory, new_territory FROM moves WHERE record = ? ORDER BY seq DESC, id DESC"),
            arguments: [record.rawValue])
        return rows.first { territories.contains($0["old_territory"]) }?["new_territory"]
    }

    /// A stored record; the decoded state of a committed row is cached, one an earlier push of the group wrote is
    /// taken from the group.
    func decode(_ row: Row) throws -> StoredRecord {
        let id = RecordID(trusted: row["id"])
        let version: Int64 = row["version"]
        let state: RecordState
        if version <= group.committedThrough {
            state = try cache.state(of: id, version: version, json: row["state"])
        } else if let written = group.written[id], written.version == version {
            state = written.state
        } else {
            state = try RecordStateCache.decode(row["state"])
        }
        return StoredRecord(
            id: id, entity: EntityKind(rawValue: row["entity"]) ?? .customer, territory: row["territory"],
            version: version, state: state)
    }
}
