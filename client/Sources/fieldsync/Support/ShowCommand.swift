import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// A subcommand's `show RECORD`.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a record with every field.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Id, unique id prefix, or exact name.") var record: String
    func run() throws { try RecordActions.show(record, nil, global: global) }
}
