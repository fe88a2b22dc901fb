import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// A subcommand's `show RECORD`.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a record with every field.",
        discussion: "Example: fieldsync customer show 杭州西湖茶业 (opp, visit, contact and complaint show work alike)")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Id, unique id prefix, or exact name.") var record: String
    func run() throws { try RecordActions.show(record, nil, global: global) }
}
