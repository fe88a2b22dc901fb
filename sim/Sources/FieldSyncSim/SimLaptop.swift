import FieldSyncClient
import FieldSyncModel
import Foundation
import GRDB

/// One simulated laptop: a real local store in its own folder, the real sync engine, a transport with faults.
///
/// Only the task that owns a laptop touches it, one step at a time.
final class SimLaptop: @unchecked Sendable {
    let user: String
    /// The laptop's name in the run: its user's, or the name a copy was given.
    var name: String
    let role: Role
    let directory: String
    let transport: FaultyTransport
    /// How far this laptop's clock is from the truth, in ms.
    private(set) var skewMs: Int64
    /// Whether the store is opened as a machine with the same fingerprint would (an imaged copy).
    let imaged: Bool
    /// The team's clock, and where this laptop's new ids come from.
    let clock: SimClock
    let ids: IDSource
    /// The schema version the laptop's release speaks.
    private(set) var schemaVersion: Int
    private(set) var store: LocalStore
    fileprivate(set) var token = ""
    /// The laptop stays offline (no sync) until this simulated day.
    var offlineUntilDay = 0
    /// Every mutation this laptop made, by seq.
    private(set) var made: [UInt64: Mutation] = [:]
    /// Seconds each completed sync took.
    private(set) var syncSeconds: [Double] = []
    /// Syncs cut off by a fault (and resumed by a later sync).
    private(set) var interruptedSyncs = 0
    /// What the laptop told its user (a new replica id, a healed server, a corrected clock).
    private(set) var notices: [String] = []
    /// Mutations pushed since the last `settle()` began: a team is quiet when no laptop pushed anything.
    private(set) var pushedWhileSettling = 0
    /// The customers this laptop created, and the visits it planned (with their planned time), by alias.
    var customers: [String] = []
    var visits: [(alias: String, plannedAt: String)] = []
    var opportunities: [String] = []

    init(
        user: String, role: Role, directory: String, transport: FaultyTransport, skewMs: Int64, imaged: Bool = false,
        clock: SimClock, ids: IDSource, schemaVersion: Int = Schema.fieldSync.version
    ) throws {
        self.user = user
        name = user
        self.role = role
        self.directory = directory
        self.transport = transport
        self.skewMs = skewMs
        self.imaged = imaged
        self.clock = clock
        self.ids = ids
        self.schemaVersion = schemaVersion
        transport.setSchemaVersion(schemaVersion)
        store = try Self.open(
            directory, skewMs: skewMs, imaged: imaged, clock: clock, ids: ids, schemaVersion: schemaVersion)
    }

    private static func open(
        _ directory: String, skewMs: Int64, imaged: Bool, clock: SimClock, ids: IDSource, schemaVersion: Int
    ) throws -> LocalStore {
        let now: @Sendable () -> Int64 = { clock.now() + skewMs }
        let schema = Schema.fieldSync(version: schemaVersion)!
        guard imaged else { return try LocalStore(directory: directory, schema: schema, now: now, ids: ids) }
        // A disk image on a machine with the same id and path: nothing on the laptop can tell it is a copy.
        let file = ReplicaFile(directory: directory)
        return try LocalStore(
            DatabaseQueue(path: file.path, configuration: LocalStore.makeConfiguration()), schema: schema, now: now,
            ids: ids)
    }

    private func reopen() throws {
        store = try Self.open(
            directory, skewMs: skewMs, imaged: imaged, clock: clock, ids: ids, schemaVersion: schemaVersion)
    }

    /// Installs the newest release: the new client opens the laptop's files and speaks the newest schema from now on.
    func upgrade() throws {
        schemaVersion = Schema.fieldSync.version
        transport.setSchemaVersion(schemaVersion)
        try reopen()
    }

    /// A second laptop made from a copy of this one's data folder (its files, its token, what it knows it made),
    /// taking new ids from `ids`.
    func copy(to directory: String, transport: FaultyTransport, imaged: Bool, ids: IDSource) throws -> SimLaptop {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.copyItem(atPath: self.directory, toPath: directory)
        let copy = try SimLaptop(
            user: user, role: role, directory: directory, transport: transport, skewMs: skewMs, imaged: imaged,
            clock: clock, ids: ids, schemaVersion: schemaVersion)
        copy.notices = try copy.store.takeNotices()  // a copy to another folder says so as it opens
        copy.token = token
        copy.customers = customers
        copy.visits = visits
        copy.opportunities = opportunities
        return copy
    }

    /// Sets the laptop's clock `ms` off the truth (as a user changing the system time; the store reopens).
    func setSkew(_ ms: Int64) throws {
        skewMs = ms
        try reopen()
    }

    /// Sends again every change refused for clock skew, as the user does after the clock is corrected. A change that
    /// no longer fits the laptop's view (made for a card since deleted or refused) cannot be made again: it stays on
    /// the refused list with its reason, as the user sees it.
    func retryRefusedForSkew() throws {
        for entry in try store.rejected() where entry.code == .clockSkew {
            let retried: Mutation
            do {
                retried = try store.retryRejected(entry.seq)
            } catch let error as ClientError where ErrorCode.validation.contains(error.code) {
                continue
            } catch is ModelError {
                continue
            }
            made[entry.seq] = nil
            made[retried.seq] = retried
        }
    }

    /// What this laptop made, by the seq and under the ids it was finally acknowledged or refused with (a laptop
    /// that took a new replica id sent some mutations again under it; a re-offer refused while another laptop had
    /// not yet healed the server was sent again under a new seq).
    func madeAsAcknowledged() throws -> [UInt64: Mutation] {
        let kept = try store.keptMutations()
        let retried = try store.healRetries()
        var result: [UInt64: Mutation] = [:]
        for (seq, mutation) in made {
            var last = seq
            while let next = retried[last] { last = next }
            result[last] =
                kept[last]
                ?? (last == seq
                    ? mutation
                    : Mutation(
                        replica: mutation.replica, seq: last, hlc: mutation.hlc, writes: mutation.writes))
        }
        return result
    }

    /// Where this laptop sent refused re-offers again: (replica, seq) → (replica, new seq), by "replica:seq". The old
    /// replica id is not kept by the store, so every id the laptop has used is listed; a write is looked up by the
    /// new id only in its own record, so a wrong guess never finds another write.
    func resentAs() throws -> [String: (replica: ReplicaID, seq: UInt64)] {
        let kept = try store.keptMutations()
        let current = try store.replica
        let replicas = Set(kept.values.map(\.replica) + [current])
        var result: [String: (replica: ReplicaID, seq: UInt64)] = [:]
        for (old, new) in try store.healRetries() {
            let target = kept[new]?.replica ?? current
            for replica in replicas { result["\(replica):\(old)"] = (target, new) }
        }
        return result
    }

    /// Logs in (as `fieldsync login` does) and stores the session.
    func login(server: String, password: String) async throws {
        let response = try await transport.login(
            store.loginRequest(user: user, password: password))
        token = response.token
        try store.startSession(response, server: server)
    }

    /// Makes one edit through the real mutation builder; returns false when the edit is not valid here (for
    /// example, the record left this laptop's view).
    @discardableResult
    func edit(_ summary: String, _ build: (inout MutationBuilder) throws -> Void) -> Bool {
        do {
            try editOrThrow(summary, build)
            return true
        } catch {
            return false
        }
    }

    /// Makes one edit through the real mutation builder, or throws why the laptop refused it.
    func editOrThrow(_ summary: String, _ build: (inout MutationBuilder) throws -> Void) throws {
        let mutation = try store.edit(summary: summary, build)
        made[mutation.seq] = mutation
    }

    /// The state this laptop shows for `id`, if it shows the record.
    func shown(_ id: RecordID) -> RecordState? { (try? store.record(id))?.state }

    /// Syncs; a fault that cuts the sync off is survived as the product survives it: a killed laptop reopens its
    /// files, a lost answer is retried by the next sync.
    func sync() async throws {
        let started = ContinuousClock.now
        transport.beginSync()
        do {
            let summary = try await SyncEngine(store: store, transport: transport, token: token).sync()
            notices += summary.notices
            pushedWhileSettling += summary.pushed
            syncSeconds.append((ContinuousClock.now - started) / .seconds(1))
        } catch is FaultyTransport.Killed {
            interruptedSyncs += 1
            try reopen()
        } catch is FaultyTransport.Lost {
            interruptedSyncs += 1
        } catch let error as ClientError where error.code == .network {
            // The server is restarting: the laptop tries again at its next sync, like a rep on a bad network.
            interruptedSyncs += 1
        }
    }

    /// Syncs `syncs` times with faults off (three: until nothing is pending and the pull is complete).
    func settle(syncs: Int = 3) async throws {
        transport.setEnabled(false)
        pushedWhileSettling = 0
        for _ in 0..<syncs { try await sync() }
    }
}
