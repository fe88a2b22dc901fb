import Foundation
import TestSupport

/// The `fieldsync` binary run as a rep runs it: each call a whole process on one laptop's data folder.
enum FieldSyncProcess {
    /// `fieldsync login` as `user` (password `bench-password`) on `folder` against `server`.
    static func login(_ folder: String, user: String = "ana", _ server: BenchServer) throws {
        let outcome = try BinaryRunner.run(
            "fieldsync",
            [
                "--data-dir", folder, "login", "--server", server.base.absoluteString, "--user", user,
                "--password-stdin",
            ], stdin: "bench-password\n")
        guard outcome.status == 0 else { throw BenchFailure("login: \(outcome.error)") }
    }

    /// Runs `fieldsync ARGUMENTS` on `folder` and returns its seconds; it must succeed and print `expect`.
    static func timed(_ folder: String, _ arguments: [String], expect: String) throws -> Double {
        let started = ContinuousClock.now
        let outcome = try BinaryRunner.run("fieldsync", ["--data-dir", folder] + arguments)
        let seconds = started.duration(to: .now) / .seconds(1)
        guard outcome.status == 0, outcome.output.contains(expect) else {
            throw BenchFailure("fieldsync \(arguments.joined(separator: " ")): \(outcome.output) \(outcome.error)")
        }
        return seconds
    }
}
