import FieldSyncModel
import Foundation
import GRDB

/// The embedded default store: one SQLite file in WAL mode, through GRDB.
///
/// Writes (pushes, account changes) are serialized by SQLite's single writer, pushes that arrive together committed in
/// one transaction (`GroupCommit`); pulls read from snapshots in parallel.
/// `synchronous=NORMAL` in WAL mode survives a killed process without losing an acknowledged push; pass
/// `durable: true` for `FULL` when power loss must be survived too.
public struct SQLiteStore: SyncStore {
    let pool: DatabasePool
    /// Decoded states of committed records, shared by every push of this store.
    let cache = RecordStateCache()
    /// The views kept since the store opened.
    let views = KnownViews()
    /// Commits the pushes that arrive together in one transaction.
    let groupCommit: GroupCommit

    /// The writer connection's page cache, in KiB.
    static let writerCacheKiB = 65_536

    /// Opens (creating if needed) the database at `path` and runs migrations.
    public init(path: String, durable: Bool = false) async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durable ? "FULL" : "NORMAL")")
            // The writer's page cache holds a push's pages (SQLite's default 2 MiB holds about 500: a push of 500 new
            // records touches more, and spilled them to the WAL before its commit, then read them back).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)") }
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        pool = try DatabasePool(path: path, configuration: configuration)
        groupCommit = GroupCommit(pool: pool, cache: cache)
        try await migrate()
    }

    public func migrate() async throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users(
                        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, team TEXT NOT NULL,
                        territories TEXT NOT NULL, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
                        scope_epoch INTEGER NOT NULL DEFAULT 1);
                    CREATE TABLE replicas(
                        id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                        last_seq INTEGER NOT NULL DEFAULT 0, clock_offset_ms INTEGER);
                    CREATE TABLE tokens(
                        hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), replica TEXT NOT NULL,
                        expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE records(
                        id TEXT PRIMARY KEY, entity TEXT NOT NULL, territory TEXT NOT NULL, customer TEXT,
                        version INTEGER NOT NULL, deleted INTEGER NOT NULL, conflicts INTEGER NOT NULL,
                        state BLOB NOT NULL);
                    CREATE INDEX records_version ON records(version);
                    CREATE INDEX records_territory_version ON records(territory, version);
                    CREATE INDEX records_customer ON records(customer) WHERE customer IS NOT NULL;
                    CREATE INDEX records_conflicts ON records(territory) WHERE conflicts > 0;
                    CREATE TABLE history(
                        write_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, record TEXT NOT NULL, op TEXT NOT NULL,
                        field TEXT, old_value TEXT, new_value TEXT, author TEXT NOT NULL, replica TEXT NOT NULL,
                        hlc TEXT NOT NULL, accepted_at INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE INDEX history_record ON history(record, seq);
                    CREATE TABLE moves(
                        id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, record TEXT NOT NULL,
                        old_territory TEXT NOT NULL, new_territory TEXT NOT NULL);
                    CREATE INDEX moves_old ON moves(old_territory, seq);
                    CREATE INDEX moves_record ON moves(record, seq);
                    CREATE TABLE rejections(
                        replica TEXT NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL,
                        PRIMARY KEY(replica, seq)) WITHOUT ROWID;
                    CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT INTO counters(name, value) VALUES ('change_seq', 0);
                    """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE digests(
                        replica TEXT NOT NULL, seq INTEGER NOT NULL, digest TEXT NOT NULL, PRIMARY KEY(replica, seq))
                        WITHOUT ROWID;
                    """)
            try db.execute(
                sql: "INSERT INTO counters(name, value) VALUES (?, ?)",
                arguments: [ServerGeneration.counter, ServerGeneration.random()])
        }
        migrator.registerMigration("v3") { db in
            for row in AcknowledgementReceipt.newKeyRows() {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO counters(name, value) VALUES (?, ?)", arguments: [row.name, row.value])
            }
        }
        migrator.registerMigration("v4") { db in
            try db.execute(
                sql: """
                    CREATE TABLE account_log(
                        id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, account TEXT NOT NULL, action TEXT NOT NULL,
                        detail TEXT NOT NULL, by_whom TEXT NOT NULL);
                    CREATE INDEX account_log_account ON account_log(account, id);
                    """)
        }
        migrator.registerMigration("v5") { db in
            try db.execute(sql: "ALTER TABLE replicas ADD COLUMN last_push_ms INTEGER")
        }
        migrator.registerMigration("v6") { db in
            try db.execute(
                sql: "CREATE TABLE pull_views(key TEXT PRIMARY KEY, territories TEXT NOT NULL) WITHOUT ROWID")
        }
        try migrator.migrate(pool)
    }

    static func receiptKey(_ db: Database) throws -> [UInt8]? {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT name, value FROM counters WHERE name LIKE 'receipt_key_%'"))
        return AcknowledgementReceipt.key(Dictionary(rows.map { ($0["name"], $0["value"]) }) { first, _ in first })
    }

    public func generation() async throws -> String {
        try await pool.read { try Self.generation($0) }
    }

    public func probeWrite() async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO counters(name, value) VALUES ('health_probe', ?)
                    ON CONFLICT(name) DO UPDATE SET value = excluded.value
                    """,
                arguments: [ServerConfiguration.systemMilliseconds()])
        }
    }

    static func generation(_ db: Database) throws -> String {
        ServerGeneration.text(
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT value FROM counters WHERE name = ?"),
                arguments: [ServerGeneration.counter]) ?? 0)
    }
}

// MARK: - Accounts

extension SQLiteStore {
    public func addUser(name: String, role: Role, team: String, territories: [String], passwordHash: String)
        async throws -> User
    {
        try await pool.write { db in
            guard try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [name]) == nil else {
                throw StoreError.userExists(name)
            }
            try db.execute(
                sql: "INSERT INTO users(name, role, team, territories, password_hash) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, role.rawValue, team, TerritoryList.encode(territories), passwordHash])
            let id = db.lastInsertedRowID
            try Self.bumpEpochs(team: team, db: db)
            try Self.log(AccountLog.added(name, role: role, team: team, territories: territories), db)
            return User(
                id: id, name: name, role: role, team: team, territories: territories, disabled: false,
                scopeEpoch: 1)
        }
    }

    public func users() async throws -> [User] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.user(from:))
        }
    }

    public func user(named name: String) async throws -> (user: User, passwordHash: String)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map {
                (Self.user(from: $0), $0["password_hash"])
            }
        }
    }

    public func setTerritories(of name: String, to territories: [String]) async throws {
        try await pool.write { db in
            guard let team = try String.fetchOne(db, sql: "SELECT team FROM users WHERE name = ?", arguments: [name])
            else { throw StoreError.noSuchUser(name) }
            try db.execute(
                sql: "UPDATE users SET territories = ? WHERE name = ?",
                arguments: [TerritoryList.encode(territories), name])
            try db.execute(sql: "UPDATE users SET scope_epoch = scope_epoch + 1 WHERE name = ?", arguments: [name])
            try Self.bumpEpochs(team: team, db: db)
            try Self.log(AccountLog.entry(name, "territories", territories.joined(separator: ", ")), db)
        }
    }

    public func setDisabled(_ name: String, _ disabled: Bool) async throws {
        try await pool.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [name]) else {
                throw StoreError.noSuchUser(name)
            }
            try Self.refuseDeleted(name, db)
            try db.execute(sql: "UPDATE users SET disabled = ? WHERE id = ?", arguments: [disabled, id])
            if disabled { try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE user_id = ?", arguments: [id]) }
            try Self.log(
                AccountLog.entry(name, disabled ? "disabled" : "enabled", disabled ? "tokens revoked" : ""), db)
        }
    }

    public func change(_ name: String, _ change: AccountChange) async throws {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, team FROM users WHERE name = ?", arguments: [name])
            else { throw StoreError.noSuchUser(name) }
            let id: Int64 = row["id"]
            let team: String = row["team"]
            try Self.refuseDeleted(name, db)
            switch change {
            case .password(let hash):
                try db.execute(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [hash, id])
                try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE user_id = ?", arguments: [id])
            case .role(let role):
                try db.execute(
                    sql: "UPDATE users SET role = ?, scope_epoch = scope_epoch + 1 WHERE id = ?",
                    arguments: [role.rawValue, id])
                try Self.bumpEpochs(team: team, db: db)
            case .team(let newTeam):
                try db.execute(
                    sql: "UPDATE users SET team = ?, scope_epoch = scope_epoch + 1 WHERE id = ?",
                    arguments: [newTeam, id])
                try Self.bumpEpochs(team: team, db: db)
                try Self.bumpEpochs(team: newTeam, db: db)
            case .rename(let newName):
                guard try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [newName]) == nil
                else { throw StoreError.userExists(newName) }
                try db.execute(sql: "UPDATE users SET name = ? WHERE id = ?", arguments: [newName, id])
                try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE user_id = ?", arguments: [id])
            case .delete:
                try db.execute(
                    sql: "UPDATE users SET disabled = 1, password_hash = '', territories = '' WHERE id = ?",
                    arguments: [id])
                try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE user_id = ?", arguments: [id])
                try Self.bumpEpochs(team: team, db: db)
            }
            try Self.log(AccountLog.changed(name, change), db)
        }
    }

    /// Writes `entry` to the account log.
    static func log(_ entry: AccountLogEntry, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO account_log(at_ms, account, action, detail, by_whom) VALUES (?, ?, ?, ?, ?)",
            arguments: [entry.atMs, entry.account, entry.action, entry.detail, entry.by])
    }

    /// Throws `accountDeleted` if the last word of the account log on `name` is its deletion.
    static func refuseDeleted(_ name: String, _ db: Database) throws {
        let last = try String.fetchOne(
            db, sql: "SELECT action FROM account_log WHERE account = ? ORDER BY id DESC LIMIT 1", arguments: [name])
        if last == "deleted" { throw StoreError.accountDeleted(name) }
    }

    public func accountLog() async throws -> [AccountLogEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM account_log ORDER BY id").map {
                AccountLogEntry(
                    atMs: $0["at_ms"], account: $0["account"], action: $0["action"], detail: $0["detail"],
                    by: $0["by_whom"])
            }
        }
    }

    public func registerReplica(_ replica: ReplicaID, userID: Int64, firstSeq: UInt64) async throws
        -> (held: UInt64, last: UInt64)
    {
        try await pool.write { db in
            let skipped = Int64(clamping: firstSeq) - 1
            let held =
                try Int64.fetchOne(
                    db, sql: "SELECT last_seq FROM replicas WHERE id = ?", arguments: [replica.rawValue]) ?? 0
            try db.execute(
                sql: "INSERT OR IGNORE INTO replicas(id, user_id, last_seq) VALUES (?, ?, ?)",
                arguments: [replica.rawValue, userID, max(0, skipped)])
            let owner = try Int64.fetchOne(
                db, sql: "SELECT user_id FROM replicas WHERE id = ?", arguments: [replica.rawValue])
            guard owner == userID else { throw StoreError.replicaTaken(replica) }
            try db.execute(
                sql: "UPDATE replicas SET last_seq = max(last_seq, ?) WHERE id = ?",
                arguments: [skipped, replica.rawValue])
            let last =
                try Int64.fetchOne(
                    db, sql: "SELECT last_seq FROM replicas WHERE id = ?", arguments: [replica.rawValue]) ?? 0
            return (UInt64(held), UInt64(last))
        }
    }

    public func replicaOwner(_ replica: ReplicaID) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT user_id FROM replicas WHERE id = ?", arguments: [replica.rawValue])
        }
    }

    public func addToken(hash: String, userID: Int64, replica: ReplicaID, expiresAtMs: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO tokens(hash, user_id, replica, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, userID, replica.rawValue, expiresAtMs])
        }
    }

    public func tokenOwner(hash: String, nowMs: Int64) async throws -> (user: User, replica: ReplicaID)? {
        try await pool.read { db in
            // Every request asks this: its statement stays compiled on each reader.
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT users.*, tokens.replica AS token_replica FROM tokens
                        JOIN users ON users.id = tokens.user_id
                        WHERE tokens.hash = ? AND tokens.revoked = 0 AND tokens.expires_at > ? AND users.disabled = 0
                        """),
                arguments: [hash, nowMs]
            ).map { (Self.user(from: $0), ReplicaID(trusted: $0["token_replica"])) }
        }
    }

    public func territories(ofTeam team: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT territories FROM users WHERE team = ?", arguments: [team])
                .flatMap(TerritoryList.decode)
        }
    }

    public func revokeToken(hash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE tokens SET revoked = 1 WHERE hash = ?", arguments: [hash])
        }
    }

    /// A manager's view is their team's territories: when a team member's change, every manager's pull restarts.
    static func bumpEpochs(team: String, db: Database) throws {
        try db.execute(
            sql: "UPDATE users SET scope_epoch = scope_epoch + 1 WHERE team = ? AND role = ?",
            arguments: [team, Visibility.teamRole.rawValue]
        )
    }

    static func user(from row: Row) -> User {
        User(
            id: row["id"], name: row["name"], role: Role(rawValue: row["role"]) ?? .rep, team: row["team"],
            territories: TerritoryList.decode(row["territories"]), disabled: row["disabled"],
            scopeEpoch: row["scope_epoch"])
    }
}
