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

    /// One timed run: its wall-clock seconds and its peak resident memory.
    struct Run {
        let seconds: Double
        /// The process's peak resident set (`/usr/bin/time`'s maximum RSS), in megabytes (MiB).
        let peakMB: Double
    }

    /// Runs `fieldsync ARGUMENTS` on `folder` under `/usr/bin/time` (for its peak memory) and times it; it must
    /// succeed and print `expect`.
    static func timed(_ folder: String, _ arguments: [String], expect: String) throws -> Run {
        let report = folder + ".time"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let fieldsync = try BinaryRunner.binary("fieldsync").path
        let started = ContinuousClock.now
        let outcome = try BinaryRunner.runTool(
            "/usr/bin/time", ["-f", "%M", "-o", report, fieldsync, "--data-dir", folder] + arguments)
        let seconds = started.duration(to: .now) / .seconds(1)
        guard outcome.status == 0, outcome.output.contains(expect) else {
            throw BenchFailure("fieldsync \(arguments.joined(separator: " ")): \(outcome.output) \(outcome.error)")
        }
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        guard let kilobytes = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchFailure("/usr/bin/time reported no peak memory: \(text)")
        }
        return Run(seconds: seconds, peakMB: kilobytes / 1024)
    }
}
