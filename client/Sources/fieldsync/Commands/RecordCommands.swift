import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// Options for changing fields: `--set field=value`, `--tag`, `--untag`.
struct FieldOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: "Set a field: field=value (repeatable; empty value clears).")
    var assignments: [String] = []
    @Option(name: .customLong("tag"), help: "Add a tag (repeatable).") var tags: [String] = []
    @Option(name: .customLong("untag"), help: "Remove a tag (repeatable).") var untags: [String] = []

    var isEmpty: Bool { assignments.isEmpty && tags.isEmpty && untags.isEmpty }

    func apply(to record: RecordID, of entity: EntityKind, store: LocalStore, _ builder: inout MutationBuilder) throws {
        try ValueParser(store: store).apply(assignments, to: record, of: entity, &builder)
        guard !tags.isEmpty || !untags.isEmpty else { return }
        guard let field = store.schema[entity].fields.first(where: { $0.type.isSet }) else {
            throw ClientError("wrong_type", "A \(entity.rawValue) has no tags.")
        }
        for tag in tags { try builder.add(record, field.name, tag) }
        for tag in untags { try builder.remove(record, field.name, tag) }
    }
}

/// The record commands shared by every entity.
enum RecordActions {
    /// Creates a record with `fields` (already parsed) plus options, prints its id.
    static func add(
        _ entity: EntityKind, _ fields: [(String, Value)], options: FieldOptions, global: GlobalOptions, summary: String
    ) throws {
        let store = try global.store()
        var created: RecordID?
        try store.edit(summary: summary) { builder in
            let id = try builder.create(entity)
            created = id
            for (name, value) in fields where value != .null { try builder.set(id, name, value) }
            try options.apply(to: id, of: entity, store: store, &builder)
        }
        if global.json { try global.printJSON(["id": created!.rawValue]) } else { print(created!.rawValue) }
    }

    /// Changes a record through `build`.
    static func edit(
        _ reference: String, _ entity: EntityKind, global: GlobalOptions, summary: (RecordID) -> String,
        _ build: (RecordID, LocalStore, inout MutationBuilder) throws -> Void
    ) throws {
        let store = try global.store()
        let id = try store.resolve(reference, entity: entity)
        let mutation = try store.edit(summary: summary(id)) { builder in try build(id, store, &builder) }
        guard !mutation.writes.isEmpty else { return }
        if global.json {
            try global.printJSON(["id": id.rawValue, "seq": String(mutation.seq)])
        } else {
            print(
                "\(id): saved (\(mutation.writes.count) change\(mutation.writes.count == 1 ? "" : "s"), not yet synced)"
            )
        }
    }

    static func show(_ reference: String, _ entity: EntityKind?, global: GlobalOptions) throws {
        let store = try global.store()
        guard let record = try store.record(store.resolve(reference, entity: entity)) else {
            throw ClientError.noSuchRecord(reference)
        }
        if global.json { try global.printJSON(RecordJSON(record)) } else { RecordOutput.show(record) }
    }

    /// Lists records of `entity` passing `filter`, with `columns` fields.
    static func list(
        _ entity: EntityKind, columns: [String], global: GlobalOptions, filter: (LocalRecord) -> Bool = { _ in true }
    ) throws {
        let records = try global.store().records(entity).filter(filter)
        if global.json { return try global.printJSON(records.map { RecordJSON($0) }) }
        printTable(
            ["ID"] + columns.map { $0.uppercased() },
            records.map { record in
                [record.id.rawValue + (record.pending ? "*" : "")]
                    + columns.map { RecordOutput.text(record.state.value($0)) }
            })
        if outputIsTerminal && records.contains(where: \.pending) { print("* edits not yet synced") }
    }

    static func delete(_ reference: String, _ entity: EntityKind, global: GlobalOptions) throws {
        try edit(reference, entity, global: global, summary: { "delete \(entity.rawValue) \($0)" }) { id, _, builder in
            try builder.delete(id)
        }
    }
}

/// Parses a value for `field` of `entity` from user text.
func parseValue(_ text: String?, _ field: String, _ entity: EntityKind, _ store: LocalStore) throws -> Value {
    guard let text else { return .null }
    return try ValueParser(store: store).parse(text, for: try store.schema.field(field, of: entity), of: entity)
}

/// A subcommand's `show RECORD`.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a record with every field.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Id, unique id prefix, or exact name.") var record: String
    func run() throws { try RecordActions.show(record, nil, global: global) }
}

/// `fieldsync customer add|edit|show|list|delete`.
struct Customer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Customer cards.", subcommands: [Add.self, Edit.self, ShowCommand.self, List.self, Delete.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a customer card; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Customer name.") var name: String
        @Option(help: "Territory (one of yours).") var territory: String
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let owner = try global.store().session()?.user
            try RecordActions.add(
                .customer,
                [("name", .text(name)), ("territory", .text(territory)), ("owner", owner.map(Value.text) ?? .null)],
                options: fields, global: global, summary: "add customer \(name)")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change fields of a customer card.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id, unique id prefix, or exact name.") var customer: String
        @OptionGroup var fields: FieldOptions
        func validate() throws {
            if fields.isEmpty { throw ValidationError("Give at least one --set, --tag or --untag.") }
        }
        func run() throws {
            try RecordActions.edit(customer, .customer, global: global, summary: { "edit customer \($0)" }) {
                id, store, builder in
                try fields.apply(to: id, of: .customer, store: store, &builder)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List customer cards.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this class (A, B, C, D).") var `class`: String?
        @Option(help: "Only this territory.") var territory: String?
        func run() throws {
            try RecordActions.list(
                .customer, columns: ["name", "class", "temperature", "phone", "territory", "owner"], global: global
            ) {
                (self.class == nil || $0.state.value("class") == .text(self.class!))
                    && (territory == nil || $0.state.value("territory") == .text(territory!))
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a customer card.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id, unique id prefix, or exact name.") var customer: String
        func run() throws { try RecordActions.delete(customer, .customer, global: global) }
    }
}

/// `fieldsync contact add|edit|list`.
struct Contact: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Contacts at customers.", subcommands: [Add.self, Edit.self, ShowCommand.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a contact to a customer; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Contact name.") var name: String
        @Option(help: "The customer (id, prefix or name).") var customer: String
        @Option(help: "decisionMaker, influencer, user or gatekeeper.") var role: String?
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let store = try global.store()
            try RecordActions.add(
                .contact,
                [
                    ("customer", try parseValue(customer, "customer", .contact, store)), ("name", .text(name)),
                    ("role", role.map(Value.text) ?? .null),
                ],
                options: fields, global: global, summary: "add contact \(name)")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change fields of a contact.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id, unique id prefix, or exact name.") var contact: String
        @OptionGroup var fields: FieldOptions
        func validate() throws { if fields.isEmpty { throw ValidationError("Give at least one --set.") } }
        func run() throws {
            try RecordActions.edit(contact, .contact, global: global, summary: { "edit contact \($0)" }) {
                id, store, builder in
                try fields.apply(to: id, of: .contact, store: store, &builder)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List contacts.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this customer's contacts.") var customer: String?
        func run() throws {
            let id = try customer.map { try global.store().resolve($0, entity: .customer) }
            try RecordActions.list(.contact, columns: ["name", "title", "role", "phone", "customer"], global: global) {
                id == nil || $0.state.value("customer") == .text(id!.rawValue)
            }
        }
    }
}

/// `fieldsync note add RECORD TEXT`.
struct Note: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Notes on any record.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Append a note to a record's activity log.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id, unique id prefix, or exact name.") var record: String
        @Argument(help: "The note.") var text: String
        func run() throws {
            let store = try global.store()
            let id = try store.resolve(record)
            let entity = try store.record(id)?.entity ?? .customer
            try RecordActions.edit(record, entity, global: global, summary: { "note on \($0)" }) { id, _, builder in
                try builder.note(id, text)
            }
        }
    }
}
