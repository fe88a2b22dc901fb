import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync note add RECORD TEXT`.
struct Note: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Notes on any record.", discussion: "Example: fieldsync note add 杭州西湖茶业 \"客户下周来访\"",
        subcommands: [Add.self])
}

extension Note {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append a note to a record's activity log.",
            discussion: "Example: fieldsync note add opp-5gkjf4qk0p \"报价已发\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id, unique id prefix, or exact name.") var record: String
        @Argument(help: "The note.") var text: String
        func run() throws {
            let store = try global.store()
            let id = try store.resolve(record)
            let entity = try store.record(id)?.entity ?? .customer
            try RecordActions.edit(record, entity, global: global, summary: { "note on \($0)" }) { id, builder in
                try builder.note(id, text)
            }
        }
    }
}
