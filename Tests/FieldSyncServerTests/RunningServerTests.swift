import FieldSyncModel
import Foundation
import Glibc
import Logging
import Testing

@testable import FieldSyncServer

/// The in-process server the simulator, the benchmarks and the client tests run.
@Suite struct RunningServerTests {
    /// A restart on a port still held fails at once with the listener's error (the simulator then retries), rather
    /// than waiting for ever for a port that will never be reported.
    @Test func aServerThatCannotListenFailsInsteadOfHanging() async throws {
        let server = try await TestServer.make()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var any = server.configuration
        any.port = 0  // a free port
        let first = try await RunningServer.start(configuration: any, store: server.store, logger: logger)
        defer { first.stop() }
        var busy = server.configuration
        busy.port = first.port
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) {
            _ = try await RunningServer.start(configuration: busy, store: server.store, logger: logger)
        }
        // Bounded, not instant: the whole suite shares two cores, and a failed start took 10.04 s once under that load.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    /// Decoded states (and SQLite's page caches) are kept for speed while laptops sync, and given back once no
    /// connection has been open for a tick: a connection left open keeps them.
    @Test func aQuietServerGivesBackWhatItKeepsForSpeed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-test-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path)
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.quietMemoryRelease = .milliseconds(50)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = try await RunningServer.start(configuration: configuration, store: store, logger: logger)
        defer { server.stop() }
        let hlc = HLCTimestamp(wallMs: 1, counter: 0, replica: ReplicaID(trusted: "lap-a"))
        var state = RecordState()
        state.apply(
            .create(record: RecordID(trusted: "c1"), entity: .customer),
            id: WriteID(replica: ReplicaID(trusted: "lap-a"), seq: 1, index: 0), hlc: hlc, author: "ana")

        let open = HostileConnectionTests.connect(server.port)
        #expect(open >= 0)
        try await Task.sleep(for: .milliseconds(200))  // the connection is registered
        store.cache.store([(RecordID(trusted: "c1"), 1, state)])
        try await Task.sleep(for: .milliseconds(300))  // six ticks with a connection open
        #expect(store.cache.count == 1, "kept while a laptop is connected")
        close(open)
        let deadline = ContinuousClock.now + .seconds(10)
        while store.cache.count > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(store.cache.count == 0, "given back once no connection is open")
    }
}
