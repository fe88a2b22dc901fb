import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync contact add|edit|list`.
struct Contact: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Contacts at customers.", discussion: "Example: fieldsync contact list --customer 杭州西湖茶业",
        subcommands: [Add.self, Edit.self, ShowCommand.self, List.self])
}

extension Contact {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a contact to a customer; prints its id.",
            discussion: "Example: fieldsync contact add 王经理 --customer 杭州西湖茶业 --role 采购 --set phone=138-0000-0000")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Contact name.") var name: String
        @Option(help: "The customer (id, prefix or name).") var customer: String
        @Option(help: "decisionMaker, influencer, user, gatekeeper or champion.") var role: String?
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let store = try global.store()
            try RecordActions.add(
                .contact,
                [
                    ("customer", try parseValue(customer, "customer", .contact, store)), ("name", .text(name)),
                    ("role", role.map { choiceValue($0, .contact, "role") } ?? .null),
                ],
                options: fields, global: global, summary: "add contact \(name)")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change fields of a contact.",
            discussion: "Example: fieldsync contact edit 王经理 --set email=wang@example.com")
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
        static let configuration = CommandConfiguration(
            abstract: "List contacts.", discussion: "Example: fieldsync contact list --customer 杭州西湖茶业")
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
