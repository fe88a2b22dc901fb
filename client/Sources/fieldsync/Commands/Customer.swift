import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync customer add|edit|show|list|delete|merge`.
struct Customer: ParsableCommand, EntityGroup {
    static let configuration = CommandConfiguration(
        abstract: "Customer cards.", discussion: "Example: fieldsync customer list --class A",
        subcommands: [
            Add.self, EditCommand<Customer>.self, Card.self, List.self, DeleteCommand<Customer>.self, Merge.self,
        ])
    static let entity = EntityKind.customer
    static let editExample = "杭州西湖茶业 --set class=A --untag new"
}

extension Customer {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a customer card; prints its id.",
            discussion: "Example: fieldsync customer add 杭州西湖茶业 --territory east --set phone=0571-8888-0000 --tag vip")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Customer name.") var name: String
        @Option(help: "Territory (one of yours).") var territory: String
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let owner = try global.store().session()?.user
            let id = try RecordActions.add(
                .customer,
                [("name", .text(name)), ("territory", .text(territory)), ("owner", owner.map(Value.text) ?? .null)],
                options: fields, global: global, summary: "add customer \(name)")
            try RecordActions.warnOfDuplicates(of: id, in: global.store())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List customer cards.", discussion: "Example: fieldsync customer list --territory east --json")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this class (A, B, C, D).") var `class`: String?
        @Option(help: "Only this territory.") var territory: String?
        @OptionGroup var filters: ListOptions
        func validate() throws { _ = try choiceFilter(self.class, "class", .customer, "class") }
        func run() throws {
            let grade = try choiceFilter(self.class, "class", .customer, "class")
            try RecordActions.list(
                .customer, columns: ["name", "class", "temperature", "phone", "territory", "owner"], global: global,
                options: filters
            ) {
                (grade == nil || $0.state.value("class") == .text(grade!))
                    && (territory == nil || $0.state.value("territory") == .text(territory!))
            }
        }
    }
}
