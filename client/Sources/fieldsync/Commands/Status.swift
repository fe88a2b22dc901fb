import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync status`.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who you are, what is pending, refused and in conflict.",
        discussion: "Example: fieldsync status --json")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let store = try global.store()
        var report = try store.status()
        report.conflicts = try store.conflicts().count
        if global.json { return try global.printJSON(report) }
        if let session = report.session {
            print(
                "server     \(session.server)\nuser       \(session.user) (\(session.role.rawValue), team \(session.team))"
            )
        } else {
            print("not logged in")
        }
        print("replica    \(report.replica)")
        print("times in   \(global.time.label())")
        print(
            "last push  \(report.lastPushMs.map(global.time.text(ms:)) ?? "never")\nlast pull  \(report.lastPullMs.map(global.time.text(ms:)) ?? "never")"
        )
        let byEntity = report.pendingByEntity.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", ")
        print("pending    \(report.pending)\(byEntity.isEmpty ? "" : " (\(byEntity))")")
        print("rejected   \(report.rejected)\nconflicts  \(report.conflicts)\nrecords    \(report.records)")
        print("kept       \(report.kept) synced changes, for \(report.retentionDays) days")
        if let offset = report.clockOffsetMs, abs(offset) > 60_000 {
            print("clock      \(offset / 1000) s off the server's: set it right")
        }
    }
}
