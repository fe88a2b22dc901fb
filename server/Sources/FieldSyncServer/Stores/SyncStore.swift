import FieldSyncModel

/// The server's storage: accounts, tokens, replicas, records, history. SQLite is the default implementation.
///
/// The rules live beside the stores, not in them: `PushProcessor` (validation, authorization, merge), `PullPlanner`
/// (passes, paging, cursors) and `Visibility` (who sees which territories). A store loads what they ask for and
/// commits their outcome atomically.
public protocol SyncStore: Sendable {
    /// Creates or upgrades the schema.
    func migrate() async throws

    /// Adds a user; fails with `user_exists` if the name is taken.
    func addUser(name: String, role: Role, team: String, territories: [String], passwordHash: String) async throws
        -> User
    /// Every user, by name.
    func users() async throws -> [User]
    /// The user named `name`, with their password hash.
    func user(named name: String) async throws -> (user: User, passwordHash: String)?
    /// Replaces a user's territories and restarts the pulls of everyone whose view changed.
    func setTerritories(of name: String, to territories: [String]) async throws
    /// Disables or re-enables a user; disabling revokes their tokens.
    func setDisabled(_ name: String, _ disabled: Bool) async throws
    /// Changes an account: a new password revokes the user's tokens; a new role or team changes what the user (and
    /// the managers of the teams involved) see, so their laptops re-sync their view; a rename revokes the tokens
    /// (laptops log in under the new name); a delete removes the login for good and keeps the name. Every change,
    /// like every add, territory change, disable and enable, is written to the account log in the same transaction.
    func change(_ name: String, _ change: AccountChange) async throws
    /// The account log, oldest first.
    func accountLog() async throws -> [AccountLogEntry]

    /// Binds `replica` to `userID` on first use, its pushes to start at `firstSeq`; for a replica the user has,
    /// moves its next expected seq up to `firstSeq` (never down). Fails with `replica_taken` if another user has it.
    /// Returns the last seq the server held of it before (0 for a new one) and holds now.
    @discardableResult
    func registerReplica(_ replica: ReplicaID, userID: Int64, firstSeq: UInt64) async throws
        -> (held: UInt64, last: UInt64)
    /// The id of the user `replica` is registered to.
    func replicaOwner(_ replica: ReplicaID) async throws -> Int64?
    /// Stores a new token by its hash.
    func addToken(hash: String, userID: Int64, replica: ReplicaID, expiresAtMs: Int64) async throws
    /// The user and replica a token hash belongs to, if the token is valid at `nowMs` and the user enabled.
    func tokenOwner(hash: String, nowMs: Int64) async throws -> (user: User, replica: ReplicaID)?
    /// The territories of every member of `team`.
    func territories(ofTeam team: String) async throws -> [String]
    /// Revokes a token.
    func revokeToken(hash: String) async throws

    /// Processes and commits a push atomically; returns one result per mutation and the change sequence number that
    /// covers every acknowledged one.
    func push(_ mutations: [Mutation], by principal: Principal, processor: PushProcessor) async throws -> PushCommit
    /// Reads, from one snapshot, the rows one pull page is made of (`PullPlanner` decides which).
    func pullRows(_ query: PullQuery) async throws -> PullRows
    /// Keeps the territories of a view under its key (`Visibility.key`), once: a cursor names its view by the key.
    func rememberView(_ key: String, territories: [String]) async throws
    /// The territories of the view kept under `key`, if any.
    func view(_ key: String) async throws -> [String]?
    /// Open conflicts on records visible to `principal`.
    func conflicts(for principal: Principal) async throws -> [Conflict]
    /// The audit history of a record, or `nil` if it does not exist or is not visible.
    func history(of record: RecordID, for principal: Principal) async throws -> [HistoryEntry]?
    /// Counts and per-replica clock offsets for operators.
    func stats() async throws -> StoreStats
    /// How many records of `entities` are stored (`fieldsync-server migrate`'s total).
    func countRecords(of entities: [String]) async throws -> Int
    /// Up to `limit` stored records of `entities` with ids after `after`, in id order, with their state as stored.
    func storedStates(of entities: [String], after: String, limit: Int) async throws -> [StoredState]
    /// In one transaction, replaces each state of `batch` with its rewrite where the stored state is still the one
    /// read (a push may have changed it since), and renames fields in the history rows of its records; returns how
    /// many states were replaced and history rows renamed.
    func upgrade(_ batch: StoredDataBatch) async throws -> (replaced: Int, historyRows: Int)
    /// Every registered replica with its user, last seq, clock offset and last push (no counting of records).
    func replicas() async throws -> [ReplicaStats]
    /// The latest HLC any accepted mutation carried (the server clock resumes after it).
    func latestHLC() async throws -> HLCTimestamp?
    /// The server's identity, which `fieldsync-server restore` changes (`ServerGeneration`).
    func generation() async throws -> String

    /// Every row of every table, read from one consistent snapshot, for `fieldsync-server copy`.
    func dump() async throws -> StoreDump
    /// Writes a dump into this store in one transaction; fails with `target_not_empty` unless the store is new or
    /// `replacing` is set (a restore: everything in the store is replaced).
    func load(_ dump: StoreDump, replacing: Bool) async throws
    /// Writes an online, consistent copy of this store to a new SQLite file at `path` (`fieldsync-server backup`).
    func backup(to path: String) async throws
    /// Makes a write that changes nothing, to learn whether the database can write again after a storage failure.
    func probeWrite() async throws
    /// Gives back memory held only for speed (decoded states, page caches), while the server is quiet.
    func releaseMemory()
    /// Releases connections; the store is not used afterwards.
    func close() async
}

extension SyncStore {
    /// The principal a token hash belongs to, with what they may see, if the token is valid at `nowMs`.
    public func principal(tokenHash: String, nowMs: Int64) async throws -> Principal? {
        guard let (user, replica) = try await tokenOwner(hash: tokenHash, nowMs: nowMs) else { return nil }
        let team = Visibility.dependsOnTeam(user.role) ? try await territories(ofTeam: user.team) : []
        return Principal(user: user, replica: replica, teamTerritories: team, tokenHash: tokenHash)
    }

    /// One page of what is visible to `principal` since `cursor`; a changed view catches up, and a cursor of another
    /// generation, or ahead of the server's change number (a restored server), starts the pass again.
    public func pull(for principal: Principal, cursor: Cursor, limit: Int) async throws -> PullPage {
        var earlier: Set<String>?
        if let key = PullPlanner.earlierView(of: principal, at: cursor) {
            earlier = try await view(key).map(Set.init)
        }
        var planner = PullPlanner(principal: principal, cursor: cursor, limit: limit, earlier: earlier)
        var rows = try await pullRows(planner.query)
        if planner.mustRestart(after: rows) {
            planner = PullPlanner(principal: principal, cursor: cursor, limit: limit, restart: true)
            rows = try await pullRows(planner.query)
        }
        if let key = planner.viewKey, let territories = principal.visibleTerritories {
            try await rememberView(key, territories: territories.sorted())  // before a cursor names it
        }
        return planner.page(rows)
    }
}

/// What a committed push answers.
public struct PushCommit: Sendable {
    /// One result per mutation.
    public var results: [MutationResult]
    /// The change sequence number that covers every acknowledged mutation.
    public var changeSeq: Int64
    /// The last seq the server holds of the pushed replica.
    public var replicaSeq: UInt64
    /// The server's generation.
    public var generation: String
}

/// A pull page before it is encoded; record states stay as the stored JSON, spliced into the response unparsed.
public struct PullPage: Sendable {
    /// Records to send whole.
    public var records: [EncodedSnapshot]
    /// Records to drop.
    public var removed: [RecordID]
    /// The cursor after this page.
    public var cursor: Cursor
    /// Whether more remains.
    public var more: Bool
    /// Whether this pass restarted from the beginning.
    public var reset: Bool
    /// The server's generation.
    public var generation: String
}

/// Figures for `fieldsync-server stats` and `/metrics`.
public struct StoreStats: Sendable, Codable {
    /// Users by role.
    public var users: Int
    /// Records that exist (not deleted).
    public var records: Int
    /// Records with open conflicts.
    public var recordsInConflict: Int
    /// The latest change sequence number.
    public var changeSeq: Int64
    /// Every replica with its user, last seq and last observed clock offset.
    public var replicas: [ReplicaStats]
}

/// One replica's figures.
public struct ReplicaStats: Sendable, Codable {
    /// The replica.
    public var replica: String
    /// Its user.
    public var user: String
    /// The last mutation seq processed.
    public var lastSeq: Int64
    /// Its clock minus the server's at its latest push, in ms (positive: ahead).
    public var clockOffsetMs: Int64?
    /// When the server took its latest push, in ms since 1970 (`nil`: none yet).
    public var lastPushMs: Int64?
}

/// A record ready to send: its columns and its state as stored JSON.
public struct EncodedSnapshot: Sendable {
    /// The record.
    public let id: RecordID
    /// Its territory.
    public let territory: String
    /// Its version.
    public let version: Int64
    /// `RecordState` as JSON.
    public let state: [UInt8]
}

/// A change `fieldsync-server user` makes to an account.
public enum AccountChange: Sendable, Equatable {
    /// A new password (its hash); the user's tokens are revoked.
    case password(hash: String)
    /// A new role.
    case role(Role)
    /// A new team.
    case team(String)
    /// A new login name (unique; the record history keeps the old one, tied to the new by the account log).
    case rename(String)
    /// The account is deleted: no login ever again, its tokens revoked, its name kept so that the history stays
    /// attributable (no new account may take it).
    case delete
}
