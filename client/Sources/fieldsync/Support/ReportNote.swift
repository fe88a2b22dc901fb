import FieldSyncClient
import Foundation

/// What every manager report says at its foot: the figures are this laptop's, as of its last sync.
enum ReportNote {
    /// `Figures from this laptop as of its last sync, 2026-12-07 09:12 (3 h ago): fieldsync sync for the latest.`
    static func lastSynced(_ store: LocalStore, time: LocalTime, nowMs: Int64 = LocalStore.systemMilliseconds())
        throws -> String
    {
        guard let pulled = try store.status().lastPullMs else {
            return "This laptop has never synced: these are only its own records. Run fieldsync sync first."
        }
        let minutes = max(0, (nowMs - pulled) / 60_000)
        let ago =
            minutes < 1
            ? "just now"
            : minutes < 120
                ? "\(minutes) min ago" : minutes < 2_880 ? "\(minutes / 60) h ago" : "\(minutes / 1_440) days ago"
        return
            "Figures from this laptop as of its last sync, \(time.text(ms: pulled)) (\(ago)): fieldsync sync for the latest."
    }
}
