import FieldSyncClient
import FieldSyncModel
import Foundation

/// One simulated laptop: a real local store in its own folder, the real sync engine, a transport with faults.
///
/// Only the task that owns a laptop touches it, one step at a time.
final class SimLaptop: @unchecked Sendable {
    let user: String
    let role: Role
    let directory: String
    let transport: FaultyTransport
    /// How far this laptop's clock is from the truth, in ms.
    let skewMs: Int64
    private(set) var store: LocalStore
    private(set) var token = ""
    /// The laptop stays offline (no sync) until this simulated day.
    var offlineUntilDay = 0
    /// Every mutation this laptop made, by seq.
    private(set) var made: [UInt64: Mutation] = [:]
    /// Seconds each completed sync took.
    private(set) var syncSeconds: [Double] = []
    /// Syncs cut off by a fault (and resumed by a later sync).
    private(set) var interruptedSyncs = 0
    /// The customers this laptop created, and the visits it planned (with their planned time).
    var customers: [RecordID] = []
    var visits: [(id: RecordID, plannedAt: String)] = []
    var opportunities: [RecordID] = []

    init(user: String, role: Role, directory: String, transport: FaultyTransport, skewMs: Int64) throws {
        self.user = user
        self.role = role
        self.directory = directory
        self.transport = transport
        self.skewMs = skewMs
        store = try Self.open(directory, skewMs: skewMs)
    }

    private static func open(_ directory: String, skewMs: Int64) throws -> LocalStore {
        try LocalStore(directory: directory, now: { LocalStore.systemMilliseconds() + skewMs })
    }

    /// Logs in (as `fieldsync login` does) and stores the session.
    func login(server: String, password: String) async throws {
        let response = try await transport.login(
            LoginRequest(user: user, password: password, replica: store.replica))
        token = response.token
        try store.startSession(response, server: server)
    }

    /// Makes one edit through the real mutation builder; returns false when the edit is not valid here (for
    /// example, the record left this laptop's view).
    @discardableResult
    func edit(_ summary: String, _ build: (inout MutationBuilder) throws -> Void) -> Bool {
        do {
            let mutation = try store.edit(summary: summary, build)
            made[mutation.seq] = mutation
            return true
        } catch {
            return false
        }
    }

    /// The state this laptop shows for `id`, if it shows the record.
    func shown(_ id: RecordID) -> RecordState? { (try? store.record(id))?.state }

    /// Syncs; a fault that cuts the sync off is survived as the product survives it: a killed laptop reopens its
    /// files, a lost answer is retried by the next sync.
    func sync() async throws {
        let started = ContinuousClock.now
        do {
            _ = try await SyncEngine(store: store, transport: transport, token: token).sync()
            syncSeconds.append((ContinuousClock.now - started) / .seconds(1))
        } catch is FaultyTransport.Killed {
            interruptedSyncs += 1
            store = try Self.open(directory, skewMs: skewMs)
        } catch is FaultyTransport.Lost {
            interruptedSyncs += 1
        } catch let error as ClientError where error.code == .network {
            // The server is restarting: the laptop tries again at its next sync, like a rep on a bad network.
            interruptedSyncs += 1
        }
    }

    /// Syncs until nothing is pending and the pull is complete, with faults off.
    func settle() async throws {
        transport.setEnabled(false)
        for _ in 0..<3 { try await sync() }
    }
}
