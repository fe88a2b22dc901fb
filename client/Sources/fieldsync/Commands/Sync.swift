import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync sync [--dry-run]`.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push pending edits, then pull what changed.", discussion: "Example: fieldsync sync --dry-run")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Show what would be pushed without sending anything.") var dryRun = false

    func run() async throws {
        let store = try global.store()
        if dryRun {
            let pending = try store.pendingSummaries()
            if global.json {
                return try global.printJSON(
                    pending.map { PendingJSON(seq: $0.seq, summary: $0.summary, records: $0.records) })
            }
            print(
                pending.isEmpty
                    ? "Nothing to push." : "Would push \(counted(pending.count, "change")):")
            for entry in pending { print("  #\(entry.seq) \(entry.summary)") }
            return
        }
        let (_, token, transport) = try global.connection(store)
        let summary = try await SyncEngine(store: store, transport: transport, token: token).sync { progress in
            guard outputIsTerminal, !global.json else { return }
            FileHandle.standardOutput.write(
                Data(
                    "\r↑ \(progress.pushed) changes \(progress.bytesUp / 1024) KiB   ↓ \(progress.pulled) records \(progress.bytesDown / 1024) KiB"
                        .utf8))
        }
        if outputIsTerminal && !global.json { print("") }
        if global.json { return try global.printJSON(summary) }
        print(
            "pushed \(summary.pushed), acknowledged \(summary.acknowledged), rejected \(summary.rejected.count), pulled \(summary.pulled), new conflicts \(summary.newConflicts), removed \(summary.removed)"
                + (summary.removed > 0 ? " (deleted elsewhere, or moved out of your territories)" : "")
        )
        for notice in summary.notices { print("Note: \(notice)") }
        for reason in summary.rejected { print("  rejected \(reason)") }
        if !summary.rejected.isEmpty { print("Review refused changes with `fieldsync rejected`.") }
        if summary.newConflicts > 0 { print("Review conflicts with `fieldsync conflicts`.") }
        if let offset = try store.status().clockOffsetMs, abs(offset) > 60_000 {
            print(
                "Warning: this laptop's clock is \(offset / 1000) s \(offset > 0 ? "ahead of" : "behind") the server's: set it right."
            )
        }
    }
}

/// A change waiting to be sent (`sync --dry-run --json`; protocol/cli/pending.json).
struct PendingJSON: Encodable {
    let seq: UInt64
    let summary: String
    let records: [String]
}
