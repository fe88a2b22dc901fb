import Hummingbird
import Logging

/// A server running in this process on a loopback port, for tests, benchmarks and the simulator.
public struct RunningServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let task: Task<Void, any Error>

    /// The base URL, `http://HOST:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts the application over `store` (with `configuration.port` 0 for any free port) and waits until it listens.
    public static func start(configuration: ServerConfiguration, store: some SyncStore, logger: Logger) async throws
        -> RunningServer
    {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(configuration: configuration, store: store, logger: logger) {
            continuation.yield($0)
        }
        // The stream ends with the run: a server that could not listen (its port still held) ends it unheard, and
        // waiting for a port would then hang for ever.
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value  // it stopped before it listened: its error says why
            throw ServerError(
                .internalServerError, .internal, "The server did not start listening: see its log for why.")
        }
        return RunningServer(port: port, task: task)
    }

    /// Starts the application again on the port a stopped server had, retrying for up to two seconds while the old
    /// listener lets go of it.
    public static func restart(configuration: ServerConfiguration, store: some SyncStore, logger: Logger)
        async throws -> RunningServer
    {
        for _ in 0..<99 {
            if let server = try? await start(configuration: configuration, store: store, logger: logger) {
                return server
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await start(configuration: configuration, store: store, logger: logger)
    }

    /// Stops the server.
    public func stop() { task.cancel() }

    /// Stops the server and waits until it has shut down: every request in flight has been answered, and nothing more
    /// reaches the store (what a restore needs before it replaces the database).
    public func stopAndWait() async {
        task.cancel()
        _ = try? await task.value
    }
}
