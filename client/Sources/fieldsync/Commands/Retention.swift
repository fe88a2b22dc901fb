import ArgumentParser
import FieldSyncClient
import Foundation

/// `fieldsync retention [--days N]`: how long synced changes are kept to re-offer to a restored server.
struct Retention: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or set how many days synced changes are kept, to re-offer to a server restored from a backup.",
        discussion:
            """
            The default is 30 days. A server restored from an older backup is told what could not be re-offered.

            Example: fieldsync retention --days 60
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Keep synced changes this many days (at least 1).") var days: Int?

    func run() throws {
        let store = try global.store()
        if let days { try store.setRetentionDays(days) }
        let kept = try store.status().kept
        if global.json { return try global.printJSON(["days": try store.retentionDays(), "kept": kept]) }
        print("Synced changes are kept \(try store.retentionDays()) days (\(kept) kept now).")
    }
}
