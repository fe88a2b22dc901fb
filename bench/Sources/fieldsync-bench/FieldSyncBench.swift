import ArgumentParser
import FieldSyncModel
import Foundation

/// `fieldsync-bench`: FieldSync's benchmark suite, run in release mode; BENCHMARKS.md records its output.
@main
struct FieldSyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldsync-bench",
        abstract:
            "Run FieldSync's benchmarks (build with -c release) and print each figure with its ratio to the peers.",
        subcommands: [
            All.self, Merge.self, Bootstrap.self, Incremental.self, Push.self, Load.self, Edit.self, Console.self,
            MigrateData.self, RepPath.self, ScopeChange.self, Writers.self,
        ]
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

    /// These options as command-line arguments, to pass on to another benchmark.
    var arguments: [String] { ["--reps", String(reps), "--peer-script", peerScript, "--peer-python", peerPython] }

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

extension FieldSyncBench {
    /// B1 and the 10,000-write push over loopback HTTP.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "B1 rep day (10 reps × 200 changes, one push each) and a push of 10,000 writes, over HTTP.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let benchmark = PushBenchmark()
            var p95s: [Double] = []
            var bytes: [Double] = []
            var rates: [Double] = []
            for _ in 0..<common.reps {
                let day = try await benchmark.repDay()
                p95s.append(day.p95Ms)
                bytes.append(day.bytesPerChange)
                rates.append(try await benchmark.tenThousandWrites().writesPerSecond)
            }
            BenchResult(
                workload: "B1 rep day push of 200 changes", seconds: Stopwatch.median(p95s) / 1000, opsPerSecond: nil,
                extra: ["p95_ms": Stopwatch.median(p95s), "bytes_per_change": Stopwatch.median(bytes)],
                loadAverage: Stopwatch.loadAverage()
            ).print(
                note: String(
                    format: "p95 %.1f ms per 200-change push (median of %d runs), %.0f B/change on the wire",
                    Stopwatch.median(p95s), common.reps, Stopwatch.median(bytes)))
            let rate = Stopwatch.median(rates)
            BenchResult(
                workload: "push 10000 writes", seconds: 10_000 / rate, opsPerSecond: rate, extra: [:],
                loadAverage: Stopwatch.loadAverage()
            ).print(
                note: String(
                    format: "%.2f s, %.0f writes/s merged and committed (20 pushes of 500)", 10_000 / rate, rate))
        }
    }

    /// B2: bootstrap of N records over loopback HTTP.
    struct Bootstrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "B2: a fresh laptop pulls N customer cards × 8 fields from cursor 0 over HTTP.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Record counts, comma-separated.") var records = "10000,50000"
        @Option(help: "Schema versions the laptop speaks, comma-separated (an older one: a laptop on an old release).")
        var schemaVersions = "\(Schema.fieldSync.version)"

        func run() async throws {
            var peers: [[String: Any]] = []
            if let baseline = common.peers() { peers = try baseline.run(workloads: "W2,SQL", reps: common.reps) }
            for version in schemaVersions.split(separator: ",").compactMap({ Int($0) }) {
                guard Schema.fieldSync(version: version) != nil else {
                    throw ValidationError("--schema-versions: \(version) is not a schema version.")
                }
                try await run(version: version, peers: peers)
            }
        }

        private func run(version: Int, peers: [[String: Any]]) async throws {
            let label = version == Schema.fieldSync.version ? "" : " (schema version \(version))"
            for count in records.split(separator: ",").compactMap({ Int($0) }) {
                let result = try await BootstrapBenchmark(records: count, schemaVersion: version).run(reps: common.reps)
                var note = String(
                    format: "%d records in %.2f s (%.1f µs/record), %.1f MB in %d pages, server %.0f B/field",
                    count, result.medianSeconds, result.medianSeconds / Double(count) * 1e6, Double(result.bytes) / 1e6,
                    result.pages, result.serverBytesPerField)
                var extra: [String: Double] = [
                    "bytes": Double(result.bytes), "server_bytes_per_field": result.serverBytesPerField,
                ]
                if count == 50_000 {
                    for peer in ["loro", "pycrdt"] {
                        if let line = peers.first(where: {
                            ($0["peer"] as? String) == peer && ($0["workload"] as? String)?.hasPrefix("W2") == true
                        }),
                            let seconds = line["seconds"] as? Double
                        {
                            extra["\(peer)_seconds"] = seconds
                            note += String(format: "; %.2f× %@ (%.2f s)", result.medianSeconds / seconds, peer, seconds)
                        }
                    }
                    if let raw = peers.first(where: { ($0["peer"] as? String) == "sqlite-raw" }),
                        let insert = raw["rows_insert_s"] as? Double, let read = raw["rows_read_s"] as? Double
                    {
                        extra["raw_sqlite_seconds"] = insert + read
                        note += String(
                            format: "; %.2f× raw SQLite insert+read (%.2f s)", result.medianSeconds / (insert + read),
                            insert + read)
                    }
                }
                BenchResult(
                    workload: "B2 bootstrap \(count)\(label)", seconds: result.medianSeconds,
                    opsPerSecond: Double(count) / result.medianSeconds,
                    extra: extra, loadAverage: Stopwatch.loadAverage()
                ).print(note: note)
            }
        }
    }
}

extension FieldSyncBench {
    /// B12: `fieldsync-server migrate` of a first-release database.
    struct MigrateData: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract:
                "B12: fieldsync-server migrate of N deals stored by the first release, against raw SQLite doing the same."
        )

        @Option(help: "Deals stored under the old field name.") var records = 50_000
        @Option(help: "Records per transaction.") var batchSize = 500

        func run() async throws {
            let result = try await MigrateBenchmark(records: records, batchSize: batchSize).run()
            BenchResult(
                workload: "B12 migrate \(records)", seconds: result.seconds,
                opsPerSecond: Double(records) / result.seconds,
                extra: ["raw_sqlite_seconds": result.rawSeconds, "history_rows": Double(result.historyRows)],
                loadAverage: Stopwatch.loadAverage()
            ).print(
                note: String(
                    format: "%d deals and %d history rows in %.2f s (%.0f records/s, the whole process); %.2f× raw"
                        + " SQLite rewriting the same rows (%.2f s)", records, result.historyRows, result.seconds,
                    Double(records) / result.seconds, result.seconds / result.rawSeconds, result.rawSeconds))
        }
    }

    /// B8: local edits.
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "B8: 10,000 local edits (view + pending mutation in one transaction) against a plain row update.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let result = try LocalEditBenchmark().run(edits: 10_000)
            BenchResult(
                workload: "B8 local edit", seconds: result.medianMs / 1000, opsPerSecond: nil,
                extra: ["p95_ms": result.p95Ms, "plain_update_p95_ms": result.plainP95Ms],
                loadAverage: Stopwatch.loadAverage()
            ).print(
                note: String(
                    format: "p95 %.3f ms, median %.3f ms; %.2f× a plain one-row update (p95 %.3f ms)",
                    result.p95Ms, result.medianMs, result.p95Ms / result.plainP95Ms, result.plainP95Ms))
        }
    }
}

extension FieldSyncBench {
    /// B7 and issue 5's backend comparison: many reps syncing at once against server processes.
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "B7: reps pushing and pulling at once against fieldsync-server processes on SQLite or PostgreSQL.",
            discussion: """
                Each rep is a closed loop over its own connection: push one mutation (one record, --writes fields), \
                then pull from its cursor, then wait up to twice --think-ms. Reps share territories, so pulls bring \
                colleagues' changes. Fails if any acknowledged push is not exactly one change on the server.
                """)

        @Option(help: "Backends to run, comma-separated: sqlite, postgres.") var backends = "sqlite,postgres"
        @Option(help: "Server node counts to run, comma-separated (SQLite runs one node only).") var nodes = "1,2"
        @Option(help: "Simulated reps.") var reps = 300
        @Option(help: "Seconds per configuration.") var seconds = 15.0
        @Option(help: "Writes per push.") var writes = 5
        @Option(help: "Mean think time between a rep's rounds, in ms (0: as fast as possible).") var thinkMs = 0
        @Option(help: "Seconds after the load stops before each server's memory is read again.") var settle = 60

        func run() async throws {
            for backend in backends.split(separator: ",").map(String.init) {
                guard backend == "sqlite" || backend == "postgres" else {
                    throw ValidationError("--backends takes sqlite and postgres")
                }
                for nodeCount in nodes.split(separator: ",").compactMap({ Int($0) }) {
                    if backend == "sqlite" && nodeCount > 1 { continue }
                    let outcome = try await LoadBenchmark(
                        backend: backend, nodes: nodeCount, reps: reps, seconds: seconds, writesPerPush: writes,
                        thinkMs: thinkMs, settleSeconds: settle
                    ).run()
                    let all = outcome.latencies
                    BenchResult(
                        workload: "B7 load \(backend) \(nodeCount) node\(nodeCount == 1 ? "" : "s") \(reps) reps",
                        seconds: outcome.elapsed, opsPerSecond: outcome.requestsPerSecond,
                        extra: [
                            "p50_ms": Stopwatch.percentile(all, 50), "p99_ms": Stopwatch.percentile(all, 99),
                            "push_p99_ms": Stopwatch.percentile(outcome.pushLatencies, 99),
                            "pull_p99_ms": Stopwatch.percentile(outcome.pullLatencies, 99),
                            "push_writes_per_s": Double(outcome.pushes * writes) / outcome.elapsed,
                            "pulled_records_per_s": Double(outcome.pulledRecords) / outcome.elapsed,
                            "errors": Double(outcome.errors), "idle_mb": outcome.idleMB, "peak_mb": outcome.peakMB,
                            "settled_mb": outcome.settledMB, "server_cpu_ms_per_request": outcome.serverCPUMsPerRequest,
                        ],
                        loadAverage: Stopwatch.loadAverage()
                    ).print(
                        note: String(
                            format:
                                "%.0f requests/s, p50 %.1f ms, p99 %.1f ms (push p99 %.1f, pull p99 %.1f); server CPU %.2f ms/request; %.0f writes/s pushed, %.0f records/s pulled; %d errors, %d pushes = %d changes; server memory %.0f MB idle, %.0f MB peak, %.0f MB %d s after (%.2f× idle)",
                            outcome.requestsPerSecond, Stopwatch.percentile(all, 50), Stopwatch.percentile(all, 99),
                            Stopwatch.percentile(outcome.pushLatencies, 99),
                            Stopwatch.percentile(outcome.pullLatencies, 99), outcome.serverCPUMsPerRequest,
                            Double(outcome.pushes * writes) / outcome.elapsed,
                            Double(outcome.pulledRecords) / outcome.elapsed, outcome.errors, outcome.pushes,
                            outcome.changeSeq, outcome.idleMB, outcome.peakMB, outcome.settledMB, settle,
                            outcome.settledMB / outcome.idleMB))
                }
            }
        }
    }
}

extension FieldSyncBench {
    /// B4(b): many writers over HTTP.
    struct Writers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "B4(b): 200 laptops × 50 edits of 1,000 shared customers, per round, pushed through many connections"
                + " at once to fieldsync-server on SQLite, against the same pushes through one connection.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Connections, comma-separated; each is compared with the last.") var connections = "32,1"
        @Option(help: "Rounds of 200 × 50 edits (each laptop's pushes go out in order).") var rounds = 5

        func run() async throws {
            let counts = connections.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
            guard let baseline = counts.last else { throw ValidationError("--connections takes whole numbers") }
            let benchmark = ManyWritersBenchmark(rounds: rounds)
            var outcomes: [Int: ManyWritersBenchmark.Outcome] = [:]
            for count in counts.reversed() {
                var runs: [ManyWritersBenchmark.Outcome] = []
                for _ in 0..<common.reps { runs.append(try await benchmark.run(connections: count)) }
                outcomes[count] = runs.sorted { $0.writesPerSecond < $1.writesPerSecond }[runs.count / 2]
            }
            for count in counts {
                let outcome = outcomes[count]!
                let ratio = outcome.writesPerSecond / outcomes[baseline]!.writesPerSecond
                BenchResult(
                    workload: "B4b \(count) connection\(count == 1 ? "" : "s")", seconds: outcome.seconds,
                    opsPerSecond: outcome.writesPerSecond,
                    extra: [
                        "vs_\(baseline)_connection": ratio,
                        "server_cpu_us_per_write": outcome.serverCPUMicrosecondsPerWrite,
                    ],
                    loadAverage: Stopwatch.loadAverage()
                ).print(
                    note: String(
                        format:
                            "%.0f writes/s (%d writes in %.2f s, median of %d), %.2f× %d connection; server CPU %.1f µs/write",
                        outcome.writesPerSecond, outcome.writes, outcome.seconds, common.reps, ratio, baseline,
                        outcome.serverCPUMicrosecondsPerWrite))
            }
        }
    }

    /// B3: incremental pull of 100 changes.
    struct Incremental: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "B3: an up-to-date laptop pulls the 100 changes a colleague pushed (on 50,000 and 1,000 records)."
        )

        @OptionGroup var common: CommonOptions
        @Option(help: "Server sizes, comma-separated; the first is compared with the last.") var records = "50000,1000"

        func run() async throws {
            var peers: [[String: Any]] = []
            if let baseline = common.peers() { peers = try baseline.run(workloads: "W3", reps: common.reps) }
            var medians: [Int: Double] = [:]
            let sizes = records.split(separator: ",").compactMap { Int($0) }
            for count in sizes {
                let result = try await IncrementalBenchmark(records: count).run(reps: common.reps)
                medians[count] = result.medianMs
                var note = String(
                    format:
                        "%d-record server: sync of 100 changes median %.1f ms, p95 %.1f ms; %.0f B/change down (whole records), %.0f B/change up",
                    count, result.medianMs, result.p95Ms, result.pullBytesPerChange, result.pushBytesPerChange)
                var extra = [
                    "p95_ms": result.p95Ms, "pull_bytes_per_change": result.pullBytesPerChange,
                    "push_bytes_per_change": result.pushBytesPerChange,
                ]
                if count == sizes.last, let first = sizes.first, first != count, let big = medians[first] {
                    extra["ratio_to_small_server"] = big / result.medianMs
                    note += String(format: "; the %d-record server takes %.2f× this", first, big / result.medianMs)
                }
                if count == sizes.first {
                    for peer in ["loro", "pycrdt"] {
                        guard
                            let line = peers.first(where: {
                                ($0["peer"] as? String) == peer && ($0["workload"] as? String)?.hasPrefix("W3") == true
                            }), let seconds = line["seconds"] as? Double
                        else { continue }
                        let bytes = line["bytes_per_change"] as? Double ?? 0
                        extra["\(peer)_ms"] = seconds * 1000
                        note += String(
                            format: "; %.1f× %@ (%.2f ms, %.0f B/change, in memory)",
                            result.medianMs / (seconds * 1000),
                            peer, seconds * 1000, bytes)
                    }
                }
                BenchResult(
                    workload: "B3 incremental 100 changes on \(count)", seconds: result.medianMs / 1000,
                    opsPerSecond: nil, extra: extra, loadAverage: Stopwatch.loadAverage()
                ).print(note: note)
            }
        }
    }

    /// Every benchmark in turn, as BENCHMARKS.md reports them.
    struct All: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every benchmark with the peers (what bench/run does after building in release mode).")

        @OptionGroup var common: CommonOptions
        @Option(help: "Simulated reps for the load benchmark.") var loadReps = 300
        @Option(help: "Seconds per load configuration.") var loadSeconds = 20.0

        func run() async throws {
            let shared = common.arguments
            try await Merge.parse(shared).run()
            try await Bootstrap.parse(shared + ["--records", "50000"]).run()
            try await Incremental.parse(shared).run()
            try await Push.parse(shared).run()
            try await Writers.parse(shared).run()
            try await Load.parse(["--reps", String(loadReps), "--seconds", String(loadSeconds)]).run()
            try await Edit.parse(shared).run()
            try await Console.parse([]).run()
            try await MigrateData.parse([]).run()
            try await RepPath.parse([]).run()
            try await ScopeChange.parse([]).run()
        }
    }
}

extension FieldSyncBench {
    /// B10: the rep's path through the real `fieldsync` binary.
    struct RepPath: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rep-path",
            abstract:
                "B10: fieldsync import customers, sync --dry-run, the first sync and a fresh laptop's sync of N cards,"
                + " each a whole process, against raw SQLite inserting the same rows.")

        @Option(help: "Cards in the CSV.") var rows = 50_000
        @Option(help: "A smaller run, to compare the cost per record (linearity).") var small = 5_000

        func run() async throws {
            let smallRun = try await RepPathBenchmark(rows: small).run()
            let result = try await RepPathBenchmark(rows: rows).run()
            let load = Stopwatch.loadAverage()
            let steps: [(String, FieldSyncProcess.Run, Double)] = [
                ("import", result.importing, smallRun.importing.seconds),
                ("sync --dry-run", result.dryRun, smallRun.dryRun.seconds),
                ("first sync", result.firstSync, smallRun.firstSync.seconds),
                ("fresh laptop sync", result.freshSync, smallRun.freshSync.seconds),
            ]
            for (step, run, smallSeconds) in steps {
                let seconds = run.seconds
                let perRecord = seconds / Double(rows)
                let linearity = perRecord / (smallSeconds / Double(small))
                BenchResult(
                    workload: "B10 \(step) \(rows)", seconds: seconds, opsPerSecond: Double(rows) / seconds,
                    extra: [
                        "raw_insert_seconds": result.rawInsertSeconds, "small_rows": Double(small),
                        "small_seconds": smallSeconds, "per_record_vs_small": linearity, "peak_mb": run.peakMB,
                    ],
                    loadAverage: load
                ).print(
                    note: String(
                        format: "%.2f s (%.0f records/s, the whole process); %.1f× raw SQLite inserting the same rows"
                            + " (%.3f s); cost per record %.2f× that at %d rows; peak memory %.0f MB",
                        seconds, Double(rows) / seconds, seconds / result.rawInsertSeconds, result.rawInsertSeconds,
                        linearity, small, run.peakMB))
            }
        }
    }
}

extension FieldSyncBench {
    /// B13: a territory change through the real `fieldsync` binary.
    struct ScopeChange: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scope-change",
            abstract:
                "B13: the rep's fieldsync sync after a territory is added to the N cards they hold, and after one is"
                + " taken away, against a fresh laptop of just the territory added and one of both.")

        @Option(help: "Cards the rep's laptop holds (territory east).") var held = 50_000
        @Option(help: "Cards of the territory added (west).") var added = 5_000
        @Option(help: "Repetitions, each on a new server; the median of each figure is reported.") var reps = 3

        func run() async throws {
            var runs: [ScopeChangeBenchmark.Result] = []
            for _ in 0..<reps { runs.append(try await ScopeChangeBenchmark(held: held, added: added).run()) }
            let median = { (figure: KeyPath<ScopeChangeBenchmark.Result, Double>) in
                Stopwatch.median(runs.map { $0[keyPath: figure] })
            }
            let result = ScopeChangeBenchmark.Result(
                addSeconds: median(\.addSeconds), removeSeconds: median(\.removeSeconds),
                justAddedSeconds: median(\.justAddedSeconds), everythingSeconds: median(\.everythingSeconds),
                everythingPeakMB: runs.map(\.everythingPeakMB).max() ?? 0)
            let load = Stopwatch.loadAverage()
            let extra = [
                "just_added_seconds": result.justAddedSeconds, "everything_seconds": result.everythingSeconds,
                "held": Double(held), "added": Double(added), "everything_peak_mb": result.everythingPeakMB,
            ]
            BenchResult(
                workload: "B13 territory added \(added) to \(held)", seconds: result.addSeconds,
                opsPerSecond: Double(added) / result.addSeconds, extra: extra, loadAverage: load
            ).print(
                note: String(
                    format: "%.2f s: %.2f× a fresh laptop of just the %d records added (%.2f s), %.2f× the pass of"
                        + " all %d from the beginning a change used to cost (%.2f s; that fresh laptop's peak memory"
                        + " %.0f MB)",
                    result.addSeconds, result.addSeconds / result.justAddedSeconds, added, result.justAddedSeconds,
                    result.addSeconds / result.everythingSeconds, held + added, result.everythingSeconds,
                    result.everythingPeakMB))
            BenchResult(
                workload: "B13 territory of \(held) taken away", seconds: result.removeSeconds,
                opsPerSecond: Double(held) / result.removeSeconds, extra: extra, loadAverage: load
            ).print(
                note: String(
                    format: "%.2f s for %d removals and no record sent, %.2f× the pass from the beginning (%.2f s)",
                    result.removeSeconds, held, result.removeSeconds / result.everythingSeconds,
                    result.everythingSeconds))
        }
    }
}

extension FieldSyncBench {
    /// B11: the manager's console on a 100,000-record server.
    struct Console: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "B11: each console page as a manager on a server of 100,000 records, over loopback HTTP.")

        @Option(help: "Records on the server (a fifth each of customers, contacts, opportunities, visits, complaints).")
        var records = 100_000
        @Option(help: "Warm loads per page after the first.") var reps = 20

        func run() async throws {
            let result = try await ConsoleBenchmark(records: records).run(reps: reps)
            print(String(format: "  (seeded %d records in %.1f s)", records, result.seedSeconds))
            for page in result.pages {
                BenchResult(
                    workload: "B11 console \(page.name) on \(records)", seconds: page.changedMedianMs / 1000,
                    opsPerSecond: nil,
                    extra: [
                        "first_ms": page.firstMs, "median_ms": page.medianMs, "p95_ms": page.p95Ms,
                        "changed_median_ms": page.changedMedianMs, "changed_p95_ms": page.changedP95Ms,
                        "bytes": Double(page.bytes), "healthz_ms": result.healthzMs,
                    ],
                    loadAverage: Stopwatch.loadAverage()
                ).print(
                    note: String(
                        format: "after an edit: median %.1f ms, p95 %.1f ms (%.2f× the 100 ms target); unchanged:"
                            + " median %.1f ms (%.0f× a /healthz round trip of %.2f ms); first load %.0f ms; %.0f kB",
                        page.changedMedianMs, page.changedP95Ms, page.changedP95Ms / 100, page.medianMs,
                        page.medianMs / result.healthzMs, result.healthzMs, page.firstMs, Double(page.bytes) / 1000))
            }
        }
    }
}
