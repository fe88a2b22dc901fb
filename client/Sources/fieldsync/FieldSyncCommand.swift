import ArgumentParser
import FieldSyncClient
import Foundation

/// `fieldsync`: the FieldSync client a rep runs on a laptop. Works offline; `sync` reconciles with the server.
@main
struct FieldSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldsync",
        abstract: "Edit customer cards, visits and opportunities offline; sync with your team's server.",
        discussion: """
            Every command except login, sync and history works with no network. Exit codes: 0 success, 1 failure,
            2 usage error. Data lives in --data-dir, $FIELDSYNC_HOME, or ~/.fieldsync.
            """,
        subcommands: [
            Login.self, Logout.self, Customer.self, Contact.self, Visit.self, Opp.self, Complaint.self, Note.self,
            Sync.self, Status.self, Conflicts.self, Rejected.self, History.self, Pipeline.self, Review.self,
            Visits.self, Import.self, Export.self, Fields.self, Retention.self, MoveAside.self,
        ]
    )

    /// Runs the command with FieldSync's exit codes: 0 success, 1 failure, 2 usage error.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ClientError {
            FileHandle.standardError.write(Data("fieldsync: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch let error as DecodingError {
            FileHandle.standardError.write(
                Data("fieldsync: local data could not be read (\(error)); sync from a fresh --data-dir.\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}
