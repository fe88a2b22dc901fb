import ArgumentParser
import FieldSyncClient
import FieldSyncCommandLine
import FieldSyncModel
import Foundation

/// `fieldsync`: the FieldSync client a rep runs on a laptop. Works offline; `sync` reconciles with the server.
@main
struct FieldSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldsync",
        abstract: "Edit customer cards, visits and opportunities offline; sync with your team's server.",
        discussion: """
            Every command except login, sync and history works with no network. \(CommandLineTool.exitCodes) \
            Data lives in --data-dir, $FIELDSYNC_HOME, or ~/.fieldsync. It speaks schema version \(Schema.fieldSync.version) \
            (fieldsync fields shows what each version added); FIELDSYNC_SCHEMA_VERSION=1 speaks the previous release's.

            Example: fieldsync login --server https://sync.example.com --user ana
            """,
        version: CommandLineTool.version(of: "fieldsync"),
        subcommands: [
            Login.self, Logout.self, Customer.self, Contact.self, Visit.self, Opp.self, Complaint.self, Note.self,
            Search.self, Sync.self, Status.self, Pending.self, Conflicts.self, Rejected.self, History.self,
            Pipeline.self, Review.self,
            Visits.self, Dupes.self, Import.self, Export.self, Fields.self, Retention.self, MoveAside.self,
        ]
    )

    /// Runs the command with FieldSync's exit codes: 0 success, 1 failure, 2 usage error.
    static func main() async {
        await CommandLineTool.main(
            Self.self, globalOptions: ["--data-dir": true, "--json": false, "--utc": false, "--ids": false],
            explain: { error in
                switch error {
                case let error as ClientError: .init(code: error.code.rawValue, message: error.message)
                case let error as DecodingError:
                    .init(
                        code: ErrorCode.localStore.rawValue,
                        message: "local data could not be read (\(error)); sync from a fresh --data-dir.")
                default: nil
                }
            })
    }
}
