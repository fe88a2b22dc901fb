import Foundation

/// Runs ../shared/bench/peer_bench.py (Loro, Yrs, raw SQLite) in the same run, so FieldSync's figures are reported as
/// ratios to peers measured on the same machine at the same time.
struct PeerBaseline {
    /// Path of the peer script.
    let script: String
    /// The Python with `loro` and `pycrdt` installed (`python3 -m venv .venv-peers && .venv-peers/bin/pip install
    /// loro pycrdt`).
    let python: String

    /// One JSON line per (peer, workload) as the script prints them.
    func run(workloads: String, reps: Int) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--workloads", workloads, "--reps", String(reps)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure("peer_bench.py exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The ops/s a peer reached on a workload, if it was measured.
    static func opsPerSecond(_ lines: [[String: Any]], peer: String, workload: String) -> Double? {
        lines.first { ($0["peer"] as? String) == peer && ($0["workload"] as? String)?.hasPrefix(workload) == true }?[
            "ops_per_s"]
            as? Double
    }
}

/// A benchmark whose result was wrong or whose set-up failed; the run exits non-zero.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
