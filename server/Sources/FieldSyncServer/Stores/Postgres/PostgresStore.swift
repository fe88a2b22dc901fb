import FieldSyncModel
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The store for several server nodes on one PostgreSQL database, through PostgresNIO's connection pool.
///
/// Pushes on different nodes run concurrently; `PushProcessor` works on rows loaded `FOR UPDATE`, and change numbers
/// come from a counter row locked just before the writes, so transactions commit in the order of their change numbers
/// and a pull cursor can never pass a change that commits later (protocol/PROTOCOL.md, "Cursors never skip").
public final class PostgresStore: SyncStore {
    let client: PostgresClient
    let logger: Logger
    /// Decoded states of committed records (versions are global change numbers, so other nodes' writes are new
    /// versions and never served stale).
    let cache = RecordStateCache()
    /// The views kept since the store opened.
    let views = KnownViews()
    private let runner: Task<Void, Never>

    /// Where a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL points.
    struct Endpoint {
        let host: String
        let port: Int
        let user: String
        let password: String?
        let database: String

        /// Reads the URL; `nil` when it is not a usable PostgreSQL URL.
        init?(url: String) {
            guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""),
                let host = parts.host, !host.isEmpty, let user = parts.user, parts.path.count > 1
            else { return nil }
            self.host = host
            port = parts.port ?? 5432
            self.user = user
            password = parts.password
            database = String(parts.path.dropFirst())
        }
    }

    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`) and runs migrations.
    public init(url: String, logger: Logger = Logger(label: "fieldsync.postgres")) async throws {
        guard let endpoint = Endpoint(url: url) else { throw StoreError.badDatabaseURL(url) }
        // One plain connection first: the pool retries an unreachable server for a minute before it gives up, and
        // its error no longer says why.
        let probe = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: endpoint.host, port: endpoint.port, username: endpoint.user, password: endpoint.password,
                database: endpoint.database, tls: .disable),
            id: 0, logger: logger)
        try await probe.close()
        let client = PostgresClient(
            configuration: PostgresClient.Configuration(
                host: endpoint.host, port: endpoint.port, username: endpoint.user, password: endpoint.password,
                database: endpoint.database, tls: .disable))
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
        try await migrate()
    }

    deinit { runner.cancel() }

    public func releaseMemory() { cache.removeAll() }

    /// Closes the connection pool.
    public func close() async { runner.cancel() }

    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(84201)", logger: logger)
            for statement in Self.schema {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS users(
            id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, team TEXT NOT NULL,
            territories TEXT NOT NULL, password_hash TEXT NOT NULL, disabled BOOLEAN NOT NULL DEFAULT false,
            scope_epoch BIGINT NOT NULL DEFAULT 1)
        """,
        """
        CREATE TABLE IF NOT EXISTS replicas(
            id TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), last_seq BIGINT NOT NULL DEFAULT 0,
            clock_offset_ms BIGINT)
        """,
        "ALTER TABLE replicas ADD COLUMN IF NOT EXISTS last_push_ms BIGINT",
        """
        CREATE TABLE IF NOT EXISTS tokens(
            hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), replica TEXT NOT NULL,
            expires_at BIGINT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT false)
        """,
        """
        CREATE TABLE IF NOT EXISTS records(
            id TEXT PRIMARY KEY, entity TEXT NOT NULL, territory TEXT NOT NULL, customer TEXT,
            version BIGINT NOT NULL, deleted BOOLEAN NOT NULL, conflicts INTEGER NOT NULL, state BYTEA NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS records_version ON records(version)",
        "CREATE INDEX IF NOT EXISTS records_territory_version ON records(territory, version)",
        "CREATE INDEX IF NOT EXISTS records_customer ON records(customer) WHERE customer IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS records_conflicts ON records(territory) WHERE conflicts > 0",
        """
        CREATE TABLE IF NOT EXISTS history(
            write_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, record TEXT NOT NULL, op TEXT NOT NULL, field TEXT,
            old_value TEXT, new_value TEXT, author TEXT NOT NULL, replica TEXT NOT NULL, hlc TEXT NOT NULL,
            accepted_at BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS history_record ON history(record, seq)",
        """
        CREATE TABLE IF NOT EXISTS moves(
            id BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL, record TEXT NOT NULL, old_territory TEXT NOT NULL,
            new_territory TEXT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS moves_old ON moves(old_territory, seq)",
        "CREATE INDEX IF NOT EXISTS moves_record ON moves(record, seq)",
        """
        CREATE TABLE IF NOT EXISTS rejections(
            replica TEXT NOT NULL, seq BIGINT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL,
            PRIMARY KEY(replica, seq))
        """,
        "CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
        "INSERT INTO counters(name, value) VALUES ('change_seq', 0) ON CONFLICT DO NOTHING",
        """
        CREATE TABLE IF NOT EXISTS digests(
            replica TEXT NOT NULL, seq BIGINT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY(replica, seq))
        """,
        """
        INSERT INTO counters(name, value) VALUES ('\(ServerGeneration.counter)', \(ServerGeneration.random()))
        ON CONFLICT DO NOTHING
        """,
        """
        CREATE TABLE IF NOT EXISTS account_log(
            id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, account TEXT NOT NULL, action TEXT NOT NULL,
            detail TEXT NOT NULL, by_whom TEXT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS account_log_account ON account_log(account, id)",
        "CREATE TABLE IF NOT EXISTS pull_views(key TEXT PRIMARY KEY, territories TEXT NOT NULL)",
        """
        INSERT INTO counters(name, value) VALUES
        \(AcknowledgementReceipt.newKeyRows().map { "('\($0.name)', \($0.value))" }.joined(separator: ", "))
        ON CONFLICT DO NOTHING
        """,
    ]

    public func generation() async throws -> String {
        try await client.withConnection { try await Self.generation($0, logger: logger) }
    }

    public func probeWrite() async throws {
        let now = ServerConfiguration.systemMilliseconds()
        _ = try await client.query(
            """
            INSERT INTO counters(name, value) VALUES ('health_probe', \(now))
            ON CONFLICT(name) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    static func generation(_ connection: PostgresConnection, logger: Logger) async throws -> String {
        let rows = try await connection.query(
            "SELECT value FROM counters WHERE name = \(ServerGeneration.counter)", logger: logger
        ).collect()
        return ServerGeneration.text(try rows.first?.decode(Int64.self) ?? 0)
    }
}

// MARK: - Accounts

extension PostgresStore {
    public func addUser(name: String, role: Role, team: String, territories: [String], passwordHash: String)
        async throws -> User
    {
        let list = TerritoryList.encode(territories)
        return try await client.withTransaction(logger: logger) { connection in
            let existing = try await connection.query("SELECT id FROM users WHERE name = \(name)", logger: logger)
                .collect()
            guard existing.isEmpty else { throw StoreError.userExists(name) }
            let rows = try await connection.query(
                """
                INSERT INTO users(name, role, team, territories, password_hash)
                VALUES (\(name), \(role.rawValue), \(team), \(list), \(passwordHash)) RETURNING id
                """, logger: logger
            ).collect()
            try await connection.query(
                "UPDATE users SET scope_epoch = scope_epoch + 1 WHERE team = \(team) AND role = \(Visibility.teamRole.rawValue)",
                logger: logger)
            try await Self.log(AccountLog.added(name, role: role, team: team, territories: territories), connection)
            return User(
                id: try rows[0].decode(Int64.self), name: name, role: role, team: team, territories: territories,
                disabled: false, scopeEpoch: 1)
        }
    }

    static let userColumns = "id, name, role, team, territories, disabled, scope_epoch"

    static func user(_ row: PostgresRow) throws -> User {
        let (id, name, role, team, territories, disabled, epoch) = try row.decode(
            (Int64, String, String, String, String, Bool, Int64).self)
        return User(
            id: id, name: name, role: Role(rawValue: role) ?? .rep, team: team,
            territories: TerritoryList.decode(territories), disabled: disabled, scopeEpoch: epoch)
    }

    public func users() async throws -> [User] {
        try await client.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.userColumns) FROM users ORDER BY name"), logger: logger
        )
        .collect().map(Self.user)
    }

    public func user(named name: String) async throws -> (user: User, passwordHash: String)? {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.userColumns), password_hash FROM users WHERE name = $1")
        query.binds.append(name)
        guard let row = try await client.query(query, logger: logger).collect().first else { return nil }
        let hash = try row.decode((Int64, String, String, String, String, Bool, Int64, String).self).7
        return (try Self.user(row), hash)
    }

    public func setTerritories(of name: String, to territories: [String]) async throws {
        let list = TerritoryList.encode(territories)
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "UPDATE users SET territories = \(list), scope_epoch = scope_epoch + 1 WHERE name = \(name) RETURNING team",
                logger: logger
            ).collect()
            guard let row = rows.first else { throw StoreError.noSuchUser(name) }
            let team = try row.decode(String.self)
            try await connection.query(
                "UPDATE users SET scope_epoch = scope_epoch + 1 WHERE team = \(team) AND role = \(Visibility.teamRole.rawValue)",
                logger: logger)
            try await Self.log(AccountLog.entry(name, "territories", territories.joined(separator: ", ")), connection)
        }
    }

    public func setDisabled(_ name: String, _ disabled: Bool) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await Self.refuseDeleted(name, connection)
            let rows = try await connection.query(
                "UPDATE users SET disabled = \(disabled) WHERE name = \(name) RETURNING id", logger: logger
            ).collect()
            guard let row = rows.first else { throw StoreError.noSuchUser(name) }
            try await Self.log(
                AccountLog.entry(name, disabled ? "disabled" : "enabled", disabled ? "tokens revoked" : ""), connection)
            if disabled {
                try await connection.query(
                    "UPDATE tokens SET revoked = true WHERE user_id = \(try row.decode(Int64.self))", logger: logger)
            }
        }
    }

    public func change(_ name: String, _ change: AccountChange) async throws {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT id, team FROM users WHERE name = \(name) FOR UPDATE", logger: logger
            ).collect()
            guard let row = rows.first else { throw StoreError.noSuchUser(name) }
            let (id, team) = try row.decode((Int64, String).self)
            try await Self.refuseDeleted(name, connection)
            var teams: [String] = []
            switch change {
            case .password(let hash):
                try await connection.query("UPDATE users SET password_hash = \(hash) WHERE id = \(id)", logger: logger)
                try await connection.query("UPDATE tokens SET revoked = true WHERE user_id = \(id)", logger: logger)
            case .role(let role):
                try await connection.query(
                    "UPDATE users SET role = \(role.rawValue), scope_epoch = scope_epoch + 1 WHERE id = \(id)",
                    logger: logger)
                teams = [team]
            case .team(let newTeam):
                try await connection.query(
                    "UPDATE users SET team = \(newTeam), scope_epoch = scope_epoch + 1 WHERE id = \(id)", logger: logger
                )
                teams = [team, newTeam]
            case .rename(let newName):
                let taken = try await connection.query("SELECT id FROM users WHERE name = \(newName)", logger: logger)
                    .collect()
                guard taken.isEmpty else { throw StoreError.userExists(newName) }
                try await connection.query("UPDATE users SET name = \(newName) WHERE id = \(id)", logger: logger)
                try await connection.query("UPDATE tokens SET revoked = true WHERE user_id = \(id)", logger: logger)
            case .delete:
                try await connection.query(
                    "UPDATE users SET disabled = true, password_hash = '', territories = '' WHERE id = \(id)",
                    logger: logger)
                try await connection.query("UPDATE tokens SET revoked = true WHERE user_id = \(id)", logger: logger)
                teams = [team]
            }
            try await Self.log(AccountLog.changed(name, change), connection)
            for team in teams {
                try await connection.query(
                    "UPDATE users SET scope_epoch = scope_epoch + 1 WHERE team = \(team) AND role = \(Visibility.teamRole.rawValue)",
                    logger: logger)
            }
        }
    }

    public func registerReplica(_ replica: ReplicaID, userID: Int64, firstSeq: UInt64) async throws
        -> (held: UInt64, last: UInt64)
    {
        let skipped = Int64(clamping: firstSeq) - 1
        // The transaction answers `nil` for another user's replica (an error thrown inside it would come out wrapped).
        let seqs: (held: UInt64, last: UInt64)? = try await client.withTransaction(logger: logger) { connection in
            let before = try await connection.query(
                "SELECT last_seq FROM replicas WHERE id = \(replica.rawValue)", logger: logger
            ).collect().first?.decode(Int64.self)
            try await connection.query(
                """
                INSERT INTO replicas(id, user_id, last_seq) VALUES (\(replica.rawValue), \(userID), \(max(0, skipped)))
                ON CONFLICT DO NOTHING
                """, logger: logger)
            let row = try await connection.query(
                "SELECT user_id, last_seq FROM replicas WHERE id = \(replica.rawValue) FOR UPDATE", logger: logger
            ).collect().first
            guard let (owner, last) = try row?.decode((Int64, Int64).self), owner == userID else { return nil }
            let held = UInt64(before ?? 0)
            guard skipped > last else { return (held, UInt64(last)) }
            try await connection.query(
                "UPDATE replicas SET last_seq = \(skipped) WHERE id = \(replica.rawValue)", logger: logger)
            return (held, UInt64(skipped))
        }
        guard let seqs else { throw StoreError.replicaTaken(replica) }
        return seqs
    }

    public func replicaOwner(_ replica: ReplicaID) async throws -> Int64? {
        try await client.query("SELECT user_id FROM replicas WHERE id = \(replica.rawValue)", logger: logger)
            .collect().first?.decode(Int64.self)
    }

    public func addToken(hash: String, userID: Int64, replica: ReplicaID, expiresAtMs: Int64) async throws {
        try await client.query(
            """
            INSERT INTO tokens(hash, user_id, replica, expires_at)
            VALUES (\(hash), \(userID), \(replica.rawValue), \(expiresAtMs))
            """, logger: logger)
    }

    public func tokenOwner(hash: String, nowMs: Int64) async throws -> (user: User, replica: ReplicaID)? {
        var query = PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.userColumns.split(separator: ",").map { "users." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                    tokens.replica FROM tokens JOIN users ON users.id = tokens.user_id
                WHERE tokens.hash = $1 AND NOT tokens.revoked AND tokens.expires_at > $2 AND NOT users.disabled
                """)
        query.binds.append(hash)
        query.binds.append(nowMs)
        guard let row = try await client.query(query, logger: logger).collect().first else { return nil }
        let replica = try row.decode((Int64, String, String, String, String, Bool, Int64, String).self).7
        return (try Self.user(row), ReplicaID(trusted: replica))
    }

    public func territories(ofTeam team: String) async throws -> [String] {
        try await client.query("SELECT territories FROM users WHERE team = \(team)", logger: logger).collect()
            .flatMap { TerritoryList.decode(try $0.decode(String.self)) }
    }

    public func revokeToken(hash: String) async throws {
        try await client.query("UPDATE tokens SET revoked = true WHERE hash = \(hash)", logger: logger)
    }
}

// MARK: - Account log

extension PostgresStore {
    /// Writes `entry` to the account log.
    static func log(_ entry: AccountLogEntry, _ connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO account_log(at_ms, account, action, detail, by_whom)
            VALUES (\(entry.atMs), \(entry.account), \(entry.action), \(entry.detail), \(entry.by))
            """, logger: connection.logger)
    }

    /// Throws `accountDeleted` if the last word of the account log on `name` is its deletion.
    static func refuseDeleted(_ name: String, _ connection: PostgresConnection) async throws {
        let last = try await connection.query(
            "SELECT action FROM account_log WHERE account = \(name) ORDER BY id DESC LIMIT 1", logger: connection.logger
        ).collect().first?.decode(String.self)
        if last == "deleted" { throw StoreError.accountDeleted(name) }
    }

    public func accountLog() async throws -> [AccountLogEntry] {
        try await client.query(
            "SELECT at_ms, account, action, detail, by_whom FROM account_log ORDER BY id", logger: logger
        ).collect().map { row in
            let (at, account, action, detail, by) = try row.decode((Int64, String, String, String, String).self)
            return AccountLogEntry(atMs: at, account: account, action: action, detail: detail, by: by)
        }
    }
}
