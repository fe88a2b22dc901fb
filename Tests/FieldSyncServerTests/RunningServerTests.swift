import Foundation
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
}
