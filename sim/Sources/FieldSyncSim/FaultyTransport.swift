import FieldSyncClient
import FieldSyncModel
import Foundation
import Synchronization

/// The real HTTP transport with faults injected between the laptop and the server: answers lost after the server
/// committed, pushes delivered twice, old pushes delivered again after newer ones, and laptops killed mid-request.
///
/// Faults strike at random (a random run's `faults`, drawn from the seed) or as a scenario armed them for the next
/// sync; either way each strike is noted with the request it hit, so a random run can be written as a scenario.
final class FaultyTransport: SyncTransport {
    typealias NetworkFault = Scenario.NetworkFault
    private let http: HTTPTransport
    let faults: Set<SimulationConfig.Fault>
    private let state: Mutex<State>

    struct State {
        var random: SeededGenerator
        var sent: [PushRequest] = []
        var counts = FaultCounts()
        var requests = 0
        var enabled = true
        /// The schema version the laptop speaks (raised when it upgrades).
        var schemaVersion = Schema.fieldSync.version
        var offline = false
        /// Faults armed for the next sync, and those planned for the one under way.
        var armed: [NetworkFault] = []
        var planned: [NetworkFault] = []
        /// Faults that struck in the sync under way, and its push and pull requests so far.
        var struck: [NetworkFault] = []
        var pushes = 0
        var pulls = 0
    }

    /// A laptop process dying in the middle of a sync; its files stay as the last transaction left them.
    struct Killed: Error {}
    /// An answer that never arrived.
    struct Lost: Error {}

    init(server: String, faults: Set<SimulationConfig.Fault>, seed: UInt64) throws {
        http = try HTTPTransport(server: server)
        self.faults = faults
        state = Mutex(State(random: SeededGenerator(seed: seed)))
    }

    /// The server's base URL.
    var base: URL { http.base }

    /// The HTTP transport, speaking the laptop's schema version.
    private var inner: HTTPTransport {
        var transport = http
        transport.schemaVersion = state.withLock { $0.schemaVersion }
        return transport
    }

    /// Speaks schema version `version` from now on (the laptop upgraded).
    func setSchemaVersion(_ version: Int) { state.withLock { $0.schemaVersion = version } }

    /// Turns faults off (the final syncs) or on.
    func setEnabled(_ enabled: Bool) { state.withLock { $0.enabled = enabled } }

    /// Takes the laptop off the network (every request fails as an unreachable server does) or back on.
    func setOffline(_ offline: Bool) { state.withLock { $0.offline = offline } }

    /// Fails as `HTTPTransport` does when the server cannot be reached, while the laptop is offline.
    private func reachable() throws {
        if state.withLock({ $0.offline }) {
            throw ClientError(.network, "Cannot reach the server (the laptop is offline); your edits stay pending.")
        }
    }

    /// Arms `fault` for the laptop's next sync.
    func arm(_ fault: NetworkFault) { state.withLock { $0.armed.append(fault) } }

    /// A sync begins: the armed faults are planned for it, its requests are counted from 1.
    func beginSync() {
        state.withLock {
            $0.planned = $0.armed
            $0.armed = []
            $0.struck = []
            $0.pushes = 0
            $0.pulls = 0
        }
    }

    /// The faults that struck in the last sync, in order.
    var struck: [NetworkFault] { state.withLock { $0.struck } }

    var counts: FaultCounts { state.withLock { $0.counts } }
    var requests: Int { state.withLock { $0.requests } }

    /// Whether a fault of `kind` strikes the current `request`: planned for it, or drawn with probability
    /// `percent` / 100 when the random run injects `fault`.
    private func strikes(
        _ kind: NetworkFault.Kind, on request: NetworkFault.Request, _ fault: SimulationConfig.Fault, _ percent: Int
    ) -> Bool {
        state.withLock {
            let at = request == .push ? $0.pushes : $0.pulls
            if let planned = $0.planned.firstIndex(where: { $0.kind == kind && $0.on == request && $0.at == at }) {
                $0.struck.append($0.planned.remove(at: planned))
                return true
            }
            guard faults.contains(fault), $0.enabled, $0.random.chance(percent) else { return false }
            $0.struck.append(NetworkFault(kind, on: request, at: at))
            return true
        }
    }

    /// The push `back` pushes before this one if an old delivery arrives late now (planned, or drawn), noted.
    private func latePush() -> PushRequest? {
        state.withLock {
            let at = $0.pushes
            var back: Int
            if let planned = $0.planned.firstIndex(where: { $0.kind == .delay && $0.at == at }) {
                back = $0.planned.remove(at: planned).back
            } else {
                guard faults.contains(.dup), $0.enabled, !$0.sent.isEmpty, $0.random.chance(10) else { return nil }
                back = Int.random(in: 1...$0.sent.count, using: &$0.random)
            }
            guard back <= $0.sent.count else { return nil }
            $0.struck.append(NetworkFault(.delay, on: .push, at: at, back: back))
            return $0.sent[$0.sent.count - back]
        }
    }

    func login(_ request: LoginRequest) async throws -> LoginResponse {
        state.withLock { $0.requests += 1 }
        return try await inner.login(request)
    }

    func registerReplica(_ request: ReplicaRequest, token: String) async throws -> ReplicaResponse {
        try reachable()
        state.withLock { $0.requests += 1 }
        return try await inner.registerReplica(request, token: token)
    }

    func push(_ request: PushRequest, token: String, schemaVersion: Int) async throws -> (PushResponse, bytes: Int) {
        try reachable()
        state.withLock { $0.pushes += 1 }
        if let old = latePush() {
            // An old delivery arrives after newer ones: the server must answer duplicate and change nothing. Its
            // answer reaches no laptop, refusal or not (a replay under a replica a restored server lost is refused
            // until the laptop heals it); what it changed is checked with everything else at the end.
            _ = try? await inner.push(old, token: token, schemaVersion: schemaVersion)
            state.withLock {
                $0.counts.reordered += 1; $0.requests += 1
            }
        }
        if strikes(.dup, on: .push, .dup, 10) {
            _ = try await inner.push(request, token: token, schemaVersion: schemaVersion)
            state.withLock {
                $0.counts.duplicated += 1; $0.requests += 1
            }
        }
        let answer = try await inner.push(request, token: token, schemaVersion: schemaVersion)
        state.withLock {
            $0.requests += 1
            $0.sent.append(request)
            if $0.sent.count > 16 { $0.sent.removeFirst() }
        }
        if strikes(.drop, on: .push, .drop, 15) {
            state.withLock { $0.counts.dropped += 1 }
            throw Lost()
        }
        if strikes(.kill, on: .push, .kill, 5) {
            state.withLock { $0.counts.killedInPush += 1 }
            throw Killed()
        }
        return answer
    }

    func pull(cursor: String, limit: Int, token: String) async throws -> Data {
        try reachable()
        state.withLock { $0.pulls += 1 }
        if strikes(.kill, on: .pull, .kill, 5) {
            // Killed between two page transactions: the pages before this one are stored with their cursor.
            state.withLock { $0.counts.killedInPull += 1 }
            throw Killed()
        }
        let page = try await inner.pull(cursor: cursor, limit: limit, token: token)
        state.withLock { $0.requests += 1 }
        if strikes(.drop, on: .pull, .drop, 5) {
            state.withLock { $0.counts.dropped += 1 }
            throw Lost()
        }
        return page
    }

    func history(of record: RecordID, token: String) async throws -> HistoryResponse {
        try await inner.history(of: record, token: token)
    }

    func logout(token: String) async throws { try await inner.logout(token: token) }
}

/// How often each fault struck.
public struct FaultCounts: Sendable, Codable, Equatable {
    /// Answers lost after the server committed (push) or sent (pull).
    public var dropped = 0
    /// Pushes delivered twice in a row.
    public var duplicated = 0
    /// Old pushes delivered again after newer ones.
    public var reordered = 0
    /// Laptops killed after the server committed their push, before they stored the answer.
    public var killedInPush = 0
    /// Laptops killed between two pull pages.
    public var killedInPull = 0
    /// Server restarts.
    public var serverRestarts = 0
    /// Laptop data folders copied (`clone`), server restores from a backup (`restore`), clocks corrected (`clockfix`).
    public var folderCopies = 0, serverRestores = 0, clockCorrections = 0
    /// What laptops told their users they did about it: new replica ids taken, restored servers healed, clocks
    /// brought back.
    public var newReplicaIDs = 0, heals = 0, clocksRestamped = 0
    /// Laptops that started on the previous release (an older schema version), and those upgraded during the run.
    public var oldReleases = 0, upgrades = 0

    static func + (lhs: FaultCounts, rhs: FaultCounts) -> FaultCounts {
        FaultCounts(
            dropped: lhs.dropped + rhs.dropped, duplicated: lhs.duplicated + rhs.duplicated,
            reordered: lhs.reordered + rhs.reordered, killedInPush: lhs.killedInPush + rhs.killedInPush,
            killedInPull: lhs.killedInPull + rhs.killedInPull, serverRestarts: lhs.serverRestarts + rhs.serverRestarts,
            folderCopies: lhs.folderCopies + rhs.folderCopies, serverRestores: lhs.serverRestores + rhs.serverRestores,
            clockCorrections: lhs.clockCorrections + rhs.clockCorrections,
            newReplicaIDs: lhs.newReplicaIDs + rhs.newReplicaIDs, heals: lhs.heals + rhs.heals,
            clocksRestamped: lhs.clocksRestamped + rhs.clocksRestamped, oldReleases: lhs.oldReleases + rhs.oldReleases,
            upgrades: lhs.upgrades + rhs.upgrades)
    }
}
