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

    /// The Prometheus text, with store figures (records, conflicts, per-replica clock offsets) appended.
    func render(_ stats: StoreStats) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        var text = String(decoding: buffer, as: UTF8.self)
        text += "# TYPE fieldsync_records gauge\nfieldsync_records \(stats.records)\n"
        text += "# TYPE fieldsync_records_in_conflict gauge\nfieldsync_records_in_conflict \(stats.recordsInConflict)\n"
        text += "# TYPE fieldsync_change_seq gauge\nfieldsync_change_seq \(stats.changeSeq)\n"
        text += "# TYPE fieldsync_replica_clock_offset_ms gauge\n"
        for replica in stats.replicas {
            guard let offset = replica.clockOffsetMs else { continue }
            text +=
                "fieldsync_replica_clock_offset_ms{replica=\"\(replica.replica)\",user=\"\(escape(replica.user))\"} \(offset)\n"
        }
        return text
    }

    private func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
