import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// A command group for one entity (`customer`, `opp`, …): its subcommands act on that entity only.
protocol EntityGroup {
    /// The entity.
    static var entity: EntityKind { get }
    /// How a user names one record, for help: "Id, unique id prefix, or exact name."
    static var reference: String { get }
}

extension EntityGroup {
    static var reference: String { "Id, unique id prefix, or exact name." }
}

/// `fieldsync ENTITY delete RECORD`: asks first on a terminal; `--yes` skips the question.
struct DeleteCommand<Group: EntityGroup>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "delete", abstract: "Delete a \(Group.entity.rawValue) (asks first on a terminal).",
            discussion: "Example: fieldsync \(Group.entity == .opportunity ? "opp" : Group.entity.rawValue) delete"
                + " \(Group.entity.idPrefix)-4eerzax3tg --yes")
    }
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(Group.reference)) var record: String
    @Flag(help: "Do not ask for confirmation.") var yes = false
    func run() throws { try RecordActions.delete(record, Group.entity, global: global, yes: yes) }
}
