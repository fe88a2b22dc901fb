import Foundation
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
    let pushDuration: DurationHistogram
    let pullDuration: DurationHistogram

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
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
            .milliseconds(100), .milliseconds(500), .seconds(1),
        ]
        pushDuration = registry.makeDurationHistogram(
            name: "fieldsync_push_duration_seconds", buckets: buckets, help: "Push processing time")
        pullDuration = registry.makeDurationHistogram(
            name: "fieldsync_pull_duration_seconds", buckets: buckets, help: "Pull page time")
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
