import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync sync [--dry-run]`.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push pending edits, then pull what changed.", discussion: "Example: fieldsync sync --dry-run")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Show what would be pushed, by entity and kind of change, without sending anything.")
    var dryRun = false
    @Flag(help: "With --dry-run: list every change (--json always does).") var list = false

    func validate() throws {
        if list && !dryRun { throw ValidationError("--list goes with --dry-run: fieldsync sync --dry-run --list") }
    }

    func run() async throws {
        let store = try global.store()
        if dryRun { return try showPending(store) }
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
                + (summary.removed > 0
                    ? " (deleted elsewhere, moved out of your territories, or a territory taken from you)" : "")
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

    /// What `--dry-run` prints: the changes by entity and kind, or each of them with `--list` or `--json`.
    private func showPending(_ store: LocalStore) throws {
        if global.json || list {
            let pending = try store.pendingEdits()
            if global.json {
                return try global.printJSON(pending.map(PendingJSON.init))
            }
            print(pending.isEmpty ? "Nothing to push." : "Would push \(counted(pending.count, "change")):")
            for entry in pending { print("  #\(entry.seq) \(entry.summary)") }
            return
        }
        let groups = try store.pendingOverview()
        let total = groups.map(\.count).reduce(0, +)
        guard total > 0 else { return print("Nothing to push.") }
        print("Would push \(counted(total, "change")):")
        var byEntity: [(entity: String, kinds: [String])] = []
        for group in groups {
            let entity = group.entity.isEmpty ? "(not shown)" : group.entity
            let kind = "\(group.kind) \(group.count)"
            if byEntity.last?.entity == entity {
                byEntity[byEntity.count - 1].kinds.append(kind)
            } else {
                byEntity.append((entity, [kind]))
            }
        }
        let width = byEntity.map(\.entity.count).max() ?? 0
        for (entity, kinds) in byEntity {
            print(
                "  " + entity.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + kinds.joined(separator: ", "))
        }
        print("Each change: fieldsync sync --dry-run --list")
    }
}

/// A change waiting to be sent (`sync --dry-run --json`, `pending --json`; protocol/cli/pending.json).
struct PendingJSON: Encodable {
    let seq: UInt64
    let summary: String
    let records: [String]

    init(_ edit: PendingEdit) {
        seq = edit.seq
        summary = edit.summary
        records = edit.records
    }
}
