import FieldSyncModel

/// Makes the console's edits: each one an ordinary mutation from the user's console replica, through the same push
/// rules as a laptop's (authorization against the stored record, validation, bases). One user's edits are numbered
/// one after another.
actor ConsoleWriter<Store: SyncStore> {
    private let store: Store
    private let configuration: ServerConfiguration
    private let clock: ServerClock
    private var latest: [Int64: Task<MutationResult, any Error>] = [:]

    init(store: Store, configuration: ServerConfiguration, clock: ServerClock) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    /// Pushes `writes` as one mutation by `principal`; returns its result (applied, or refused with the reason).
    func write(_ writes: [Write], by principal: Principal) async throws -> MutationResult {
        let previous = latest[principal.user.id]
        let (store, configuration, clock) = (self.store, self.configuration, self.clock)
        let task = Task {
            _ = try? await previous?.value
            return try await Self.push(writes, by: principal, store: store, configuration: configuration, clock: clock)
        }
        latest[principal.user.id] = task
        return try await task.value
    }

    private static func push(
        _ writes: [Write], by principal: Principal, store: Store, configuration: ServerConfiguration,
        clock: ServerClock
    ) async throws -> MutationResult {
        let replica = ConsoleSession.replica(of: principal.user)
        let seqs = try await store.registerReplica(replica, userID: principal.user.id, firstSeq: 1)
        let now = await clock.now()
        let mutation = Mutation(
            replica: replica, seq: seqs.last + 1,
            hlc: HLCTimestamp(wallMs: now.wallMs, counter: now.counter, replica: replica), writes: writes)
        let processor = PushProcessor(maxForwardSkewMs: configuration.maxForwardSkewMs, nowMs: configuration.clock())
        let commit = try await store.push([mutation], by: principal.pushing(for: replica), processor: processor)
        if commit.results.first?.status == .applied { await clock.receive(mutation.hlc) }
        guard let result = commit.results.first else { throw ServerError.badRequest("Nothing was written.") }
        return result
    }
}
