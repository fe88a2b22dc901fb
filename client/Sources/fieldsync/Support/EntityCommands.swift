import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// A command group for one entity (`customer`, `opp`, …): its subcommands act on that entity only.
protocol EntityGroup {
    /// The entity.
    static var entity: EntityKind { get }
    /// The group's command name (`opp` for opportunities).
    static var command: String { get }
    /// How a user names one record, for help: "Id, unique id prefix, or exact name."
    static var reference: String { get }
    /// An example `edit`, after `fieldsync GROUP edit`.
    static var editExample: String { get }
    /// Refuses `--set`s the group changes with its own commands (a complaint's step).
    static func checkEdit(_ fields: FieldOptions) throws
}

extension EntityGroup {
    static var command: String { entity.rawValue }
    static var reference: String { "Id, unique id prefix, or exact name." }
    static func checkEdit(_ fields: FieldOptions) throws {}

    /// "a customer", "an opportunity".
    static var oneRecord: String {
        let name = entity.rawValue
        return ("aeiou".contains(name.first ?? "x") ? "an " : "a ") + name
    }
}

/// `fieldsync ENTITY edit RECORD --set field=value --tag T --untag T`.
struct EditCommand<Group: EntityGroup>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "edit", abstract: "Change fields of \(Group.oneRecord).",
            discussion: "Example: fieldsync \(Group.command) edit \(Group.editExample)")
    }
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(Group.reference)) var record: String
    @OptionGroup var fields: FieldOptions
    func validate() throws {
        if fields.isEmpty { throw ValidationError("Give at least one --set, --tag or --untag.") }
        try Group.checkEdit(fields)
    }
    func run() throws {
        try RecordActions.edit(
            record, Group.entity, global: global, fields: fields,
            summary: { "edit \(Group.entity.rawValue) \($0)" })
    }
}

/// `fieldsync ENTITY delete RECORD`: asks first on a terminal; `--yes` skips the question.
struct DeleteCommand<Group: EntityGroup>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "delete", abstract: "Delete \(Group.oneRecord) (asks first on a terminal).",
            discussion: "Example: fieldsync \(Group.command) delete \(Group.entity.idPrefix)-4eerzax3tg --yes")
    }
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(Group.reference)) var record: String
    @Flag(help: "Do not ask for confirmation.") var yes = false
    func run() throws { try RecordActions.delete(record, Group.entity, global: global, yes: yes) }
}
