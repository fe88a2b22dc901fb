import FieldSyncModel
import Foundation
import Hummingbird
import Prometheus

/// The server's Prometheus metrics, served as text at `/metrics`.
struct ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let applied: Counter
    let duplicate: Counter
    let rejected: Counter
    let retry: Counter
    let pulls: Counter
    let pulledRecords: Counter
    let loginFailures: Counter
    /// Pushes and pull pages by the schema version the laptop speaks: an operator stops serving a version once its
    /// count stays still (`serve --oldest-schema-version`).
    let syncsBySchema: [Int: Counter]
    /// Push time by outcome: `ok` (every mutation acknowledged), `refused` (some rejected or to retry),
    /// `client_error` (the whole push refused, 4xx), `server_error` (5xx).
    let pushDuration: [String: DurationHistogram]
    /// Pull page time by outcome: `ok`, `client_error`, `server_error`.
    let pullDuration: [String: DurationHistogram]

    /// The outcomes the histograms are labelled with.
    static let pushOutcomes = ["ok", "refused", "client_error", "server_error"]
    static let pullOutcomes = ["ok", "client_error", "server_error"]

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func mutations(_ status: String) -> Counter {
            registry.makeCounter(
                name: "fieldsync_push_mutations_total", labels: [("status", status)],
                help: "Pushed mutations by outcome")
        }
        applied = mutations("applied")
        duplicate = mutations("duplicate")
        rejected = mutations("rejected")
        retry = mutations("retry")
        pulls = registry.makeCounter(name: "fieldsync_pulls_total", help: "Pull pages served")
        pulledRecords = registry.makeCounter(name: "fieldsync_pulled_records_total", help: "Records sent by pulls")
        loginFailures = registry.makeCounter(name: "fieldsync_login_failures_total", help: "Failed logins")
        syncsBySchema = Dictionary(
            uniqueKeysWithValues: Schema.fieldSync.versions.map { version in
                (
                    version.number,
                    registry.makeCounter(
                        name: "fieldsync_syncs_by_schema_total", labels: [("version", String(version.number))],
                        help: "Pushes and pull pages by the schema version the laptop speaks")
                )
            })
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
            .milliseconds(100), .milliseconds(500), .seconds(1),
        ]
        func histograms(_ name: String, _ outcomes: [String], _ help: String) -> [String: DurationHistogram] {
            Dictionary(
                uniqueKeysWithValues: outcomes.map { outcome in
                    (
                        outcome,
                        registry.makeDurationHistogram(
                            name: name, labels: [("outcome", outcome)], buckets: buckets, help: help)
                    )
                })
        }
        pushDuration = histograms(
            "fieldsync_push_duration_seconds", Self.pushOutcomes, "Push processing time, by outcome")
        pullDuration = histograms("fieldsync_pull_duration_seconds", Self.pullOutcomes, "Pull page time, by outcome")
    }

    /// Runs `body` (given its start), recording its time in `histograms` under the outcome it returns, or under
    /// `client_error` or `server_error` when it throws.
    func timed<Result>(
        _ histograms: [String: DurationHistogram],
        _ body: (ContinuousClock.Instant) async throws -> (Result, outcome: String)
    ) async throws -> Result {
        let started = ContinuousClock.now
        do {
            let (result, outcome) = try await body(started)
            histograms[outcome]?.record(ContinuousClock.now - started)
            return result
        } catch {
            let server = (error as? any HTTPResponseError).map { $0.status.code >= 500 } ?? true
            histograms[server ? "server_error" : "client_error"]?.record(ContinuousClock.now - started)
            throw error
        }
    }

    /// Counts one push result.
    func record(_ status: String) {
        switch status {
        case "applied": applied.increment()
        case "duplicate": duplicate.increment()
        case "rejected": rejected.increment()
        default: retry.increment()
        }
    }

    /// The Prometheus text, with store figures appended. It names no user and no replica (a metrics scrape must not
    /// list the accounts): clock offsets are summarized, and `fieldsync-server stats` shows them per laptop.
    func render(_ stats: StoreStats) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        var text = String(decoding: buffer, as: UTF8.self)
        func gauge(_ name: String, _ help: String, _ value: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
        }
        gauge("fieldsync_records", "Records stored", "\(stats.records)")
        gauge("fieldsync_records_in_conflict", "Records with an open conflict", "\(stats.recordsInConflict)")
        gauge("fieldsync_change_seq", "The server's change sequence number", "\(stats.changeSeq)")
        let offsets = stats.replicas.compactMap(\.clockOffsetMs).map { abs($0) }
        gauge(
            "fieldsync_replica_clock_offset_max_seconds", "The largest clock offset of any laptop, either way",
            "\(Double(offsets.max() ?? 0) / 1000)")
        gauge(
            "fieldsync_replicas_clock_off", "Laptops whose clock is off by more than a minute (see stats)",
            "\(offsets.filter { $0 > 60_000 }.count)")
        return text
    }
}
