import ArgumentParser
import FieldSyncClient
import Foundation

/// `fieldsync move-aside [--force]`: keeps a damaged replica file aside so the laptop can start fresh.
struct MoveAside: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move-aside",
        abstract: "Move a damaged replica file aside (renamed, never deleted) so this laptop can start fresh.",
        discussion: """
            After it, `fieldsync login` and `fieldsync sync` fetch everything again; edits that were only in the \
            damaged file are not in the new one (restore the folder from a backup to get them back). A sound file \
            is moved only with --force.

            Example: fieldsync move-aside
            """)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Move the replica file aside even though it is sound.") var force = false

    func run() throws {
        let file = ReplicaFile(directory: global.directory)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw ClientError(.localStore, "There is no replica file at \(file.path): nothing to move aside.")
        }
        let damage = try file.damage()
        if damage == nil && !force {
            throw ClientError(
                .invalidArgument,
                "\(file.path) is sound: nothing to move aside. Pass --force to start fresh anyway (unsynced edits"
                    + " stay in the moved file).")
        }
        let aside = try file.moveAside()
        print("Moved \(file.path) to \(aside). Run `fieldsync login` and `fieldsync sync` to start fresh.")
    }
}
