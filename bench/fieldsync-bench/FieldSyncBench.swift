import ArgumentParser
import Foundation

/// `fieldsync-bench`: FieldSync's benchmark suite, run in release mode; BENCHMARKS.md records its output.
@main
struct FieldSyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldsync-bench",
        abstract:
            "Run FieldSync's benchmarks (build with -c release) and print each figure with its ratio to the peers.",
        subcommands: [Merge.self]
    )
}

/// Options every benchmark shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Repetitions; the median is reported.")
    var reps = 5

    @Option(help: "peer_bench.py to compare with (skipped when the file or the Python does not exist).")
    var peerScript = "../shared/bench/peer_bench.py"

    @Option(help: "Python with loro and pycrdt installed.")
    var peerPython = ".venv-peers/bin/python"

    /// The peer baseline, when its script and Python exist; otherwise says why not.
    func peers() -> PeerBaseline? {
        let files = FileManager.default
        guard files.fileExists(atPath: peerScript), files.isExecutableFile(atPath: peerPython) else {
            print("  (peers not measured: need \(peerScript) and \(peerPython); see BENCHMARKS.md)")
            return nil
        }
        return PeerBaseline(script: peerScript, python: peerPython)
    }
}

extension FieldSyncBench {
    /// B4(a): in-process merge of 200 writers × 50 writes on 1,000 records.
    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "B4(a): merge 200 replicas × 50 writes on 1,000 shared records in memory (peer workload W4).")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let benchmark = MergeBenchmark()
            var times: [Double] = []
            var writes = 0
            var conflicts = 0
            for rep in 0..<common.reps {
                let result = benchmark.run(seed: UInt64(4000 + rep))
                guard result.converged else { throw BenchFailure("merge in reverse order gave another state") }
                times.append(result.seconds)
                writes = result.writes
                conflicts = result.conflicts
            }
            let median = Stopwatch.median(times)
            let rate = Double(writes) / median
            var extra: [String: Double] = ["writes": Double(writes), "conflicts": Double(conflicts)]
            var note = String(
                format: "%.1f ms median, %.0f writes/s, %d conflicts listed", median * 1000, rate, conflicts)
            if let peers = common.peers() {
                let lines = try peers.run(workloads: "W4", reps: common.reps)
                for peer in ["loro", "pycrdt"] {
                    if let peerRate = PeerBaseline.opsPerSecond(lines, peer: peer, workload: "W4") {
                        extra["\(peer)_ops_per_s"] = peerRate
                        note += String(format: "; %.2f× %@ (%.0f/s)", rate / peerRate, peer, peerRate)
                    }
                }
            }
            BenchResult(
                workload: "B4a merge 200x50 on 1000", seconds: median, opsPerSecond: rate, extra: extra,
                loadAverage: Stopwatch.loadAverage()
            ).print(note: note)
        }
    }
}
