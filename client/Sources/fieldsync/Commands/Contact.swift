import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync contact add|edit|show|list|delete`.
struct Contact: ParsableCommand, EntityGroup {
    static let configuration = CommandConfiguration(
        abstract: "Contacts at customers.", discussion: "Example: fieldsync contact list --customer 杭州西湖茶业",
        subcommands: [Add.self, EditCommand<Contact>.self, ShowCommand.self, List.self, DeleteCommand<Contact>.self])
    static let entity = EntityKind.contact
    static let editExample = "王经理 --set email=wang@example.com"
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
            let customer = try parseValue(customer, "customer", .contact, store)
            try RecordActions.add(
                .contact,
                [
                    ("customer", customer), ("name", .text(name)),
                    ("role", role.map { choiceValue($0, .contact, "role") } ?? .null),
                ],
                options: fields, global: global,
                summary: "add contact \(name) at \(global.display(store).name(customer))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List contacts.", discussion: "Example: fieldsync contact list --customer 杭州西湖茶业")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this customer's contacts.") var customer: String?
        @OptionGroup var filters: ListOptions
        func run() throws {
            let id = try customer.map { try global.store().resolve($0, entity: .customer) }
            try RecordActions.list(
                .contact, columns: ["name", "title", "role", "phone", "customer"], global: global,
                options: filters
            ) {
                id == nil || $0.state.value("customer") == .text(id!.rawValue)
            }
        }
    }
}
