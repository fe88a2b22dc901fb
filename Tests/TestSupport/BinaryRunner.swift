import Foundation
import Synchronization

/// Runs the project's built executables in tests, as a user would.
public enum BinaryRunner {
    /// The built executable `name`, next to the test bundle.
    public static func binary(_ name: String) throws -> URL {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].compactMap { $0?.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Missing(
                description:
                    "\(name) is not built (run `swift build --build-tests`); searched \(candidates.map(\.path))")
        }
        return found
    }

    /// A binary that could not be found.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The outcome of a finished run.
    public struct Outcome: Sendable {
        /// The exit status.
        public let status: Int32
        /// Standard output.
        public let output: String
        /// Standard error.
        public let error: String
    }

    /// A process that outlived its deadline and was killed, so a hang fails its test instead of the whole run.
    public struct TimedOut: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `process`, one launch at a time in this test process: Foundation's `Process.run` on Linux crashed
    /// (in `memcpy`) when two suites launched processes at the same moment.
    public static func launch(_ process: Process) throws {
        try launching.withLock { _ in try process.run() }
    }

    private static let launching = Mutex(())

    /// The longest a run of one of the project's binaries may take in a test.
    public static let runDeadline = Duration.seconds(600)

    /// Runs `name` with `arguments` to completion, feeding `stdin`; kills it and throws `TimedOut` past `runDeadline`.
    public static func run(
        _ name: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) throws -> Outcome {
        try run(executable: try binary(name), arguments, stdin: stdin, environment: environment)
    }

    /// Adds user `name` (password `s3cret-password`, cheap hashing) to the server database `db` with
    /// `fieldsync-server user add`; throws with its message if that fails.
    public static func addUser(
        _ name: String, db: String, role: String = "rep", team: String = "north", territory: String = "east"
    ) throws {
        let added = try run(
            "fieldsync-server",
            [
                "user", "add", name, "--role", role, "--team", team, "--territory", territory, "--password-stdin",
                "--password-iterations", "1000", "--db", db,
            ],
            stdin: "s3cret-password\n")
        guard added.status == 0 else { throw Missing(description: "user add \(name) failed: \(added.error)") }
    }

    /// Runs a system tool at `path` (mount, umount, python3, sh, script) to completion, feeding `stdin`.
    public static func runTool(
        _ path: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) throws -> Outcome {
        try run(executable: URL(fileURLWithPath: path), arguments, stdin: stdin, environment: environment)
    }

    /// Waits for `process` to exit; past `deadline` kills it (SIGKILL) and throws `TimedOut`.
    public static func waitForExit(_ process: Process, within deadline: Duration) throws {
        let end = ContinuousClock.now + deadline
        while process.isRunning && ContinuousClock.now < end { Thread.sleep(forTimeInterval: 0.01) }
        guard process.isRunning else { return process.waitUntilExit() }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw TimedOut(description: "\(describe(process)) was still running after \(deadline) and was killed")
    }

    static func describe(_ process: Process) -> String {
        ([process.executableURL?.lastPathComponent ?? "?"] + (process.arguments ?? [])).joined(separator: " ")
    }

    private static func run(
        executable: URL, _ arguments: [String], stdin: String?, environment: [String: String]
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        try launch(process)
        let pid = process.processIdentifier
        let state = Mutex((finished: false, killed: false))
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(runDeadline.components.seconds))) {
            state.withLock { state in
                guard !state.finished else { return }
                state.killed = true
                kill(pid, SIGKILL)
            }
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let errorData = Mutex(Data())
        let reader = Thread { errorData.withLock { $0 = error.fileHandleForReading.readDataToEndOfFile() } }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let killed = state.withLock { state in
            state.finished = true
            return state.killed
        }
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.005) }
        if killed {
            throw TimedOut(description: "\(describe(process)) was still running after \(runDeadline) and was killed")
        }
        return Outcome(
            status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
            error: errorData.withLock { String(decoding: $0, as: UTF8.self) })
    }

    /// A long-running server process started with `serve --port 0`; `url` is where it listens.
    public final class Server: @unchecked Sendable {
        // Safe: `process` is only touched by the test that owns the server; the output buffer is behind a Mutex.
        /// The server process (tests kill it with SIGKILL to prove a crash loses nothing).
        public let process = Process()
        private let buffer = OutputBuffer()
        /// The base URL, once the server said where it listens.
        public private(set) var url = ""

        /// Starts `fieldsync-server serve` on `db` and waits until it listens; with `descriptorLimit`, under that
        /// `ulimit -n` (the shell execs the server, so the process is the server's).
        public init(db: String, port: Int = 0, extraArguments: [String] = [], descriptorLimit: Int? = nil) async throws
        {
            let server = try binary("fieldsync-server")
            let arguments = ["serve", "--db", db, "--port", String(port), "--log-level", "error"] + extraArguments
            if let descriptorLimit {
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments =
                    ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", server.path] + arguments
            } else {
                process.executableURL = server
                process.arguments = arguments
            }
            process.environment = ProcessInfo.processInfo.environment
            let output = Pipe()
            process.standardOutput = output
            let buffer = self.buffer
            output.fileHandleForReading.readabilityHandler = { handle in
                let chunk = handle.availableData
                buffer.data.withLock { $0.append(chunk) }
            }
            try BinaryRunner.launch(process)
            for _ in 0..<400 {
                try await Task.sleep(for: .milliseconds(25))
                let text = buffer.data.withLock { String(decoding: $0, as: UTF8.self) }
                if let range = text.range(of: "fieldsync-server listening on "),
                    let end = text[range.upperBound...].firstIndex(of: " ")
                {
                    url = String(text[range.upperBound..<end])
                    return
                }
            }
            process.terminate()
            throw Missing(description: "fieldsync-server did not start listening")
        }

        /// Everything the server wrote on standard output so far.
        public var output: String { buffer.data.withLock { String(decoding: $0, as: UTF8.self) } }

        /// Stops the server (SIGTERM) and waits; returns how it ended.
        @discardableResult
        public func stop() -> (reason: Process.TerminationReason, status: Int32) {
            if process.isRunning { process.terminate() }
            do {
                try BinaryRunner.waitForExit(process, within: .seconds(30))
            } catch {
                testOutput("\(error): SIGTERM did not stop the server")
            }
            return (process.terminationReason, process.terminationStatus)
        }

        deinit { if process.isRunning { process.terminate() } }
    }

    /// Output collected from a running process.
    final class OutputBuffer: Sendable {
        let data = Mutex(Data())
    }
}
