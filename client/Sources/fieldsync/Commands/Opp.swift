import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync opp add|edit|stage|show|list|delete|item`.
struct Opp: ParsableCommand, EntityGroup {
    static let configuration = CommandConfiguration(
        commandName: "opp", abstract: "Opportunities.", discussion: "Example: fieldsync opp list --stage closing",
        subcommands: [
            Add.self, EditCommand<Opp>.self, Stage.self, ShowCommand.self, List.self, DeleteCommand<Opp>.self,
            Item.self,
        ])
    static let entity = EntityKind.opportunity
    static let command = "opp"
    static let reference = "Id, unique id prefix, or exact title."
    static let editExample = "年度框架协议 --set amount=\"139999.00 CNY\""
}

extension Opp {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an opportunity; prints its id.",
            discussion: "Example: fieldsync opp add 年度框架协议 --customer 杭州西湖茶业 --amount \"129999.00 CNY\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "What is being sold.") var title: String
        @Option(help: "The customer (id, prefix or name).") var customer: String
        @Option(help: "Amount with currency, e.g. '129999.00 CNY'.") var amount: String?
        @Option(help: "Stage.") var stage = "prospecting"
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let store = try global.store()
            let customer = try parseValue(customer, "customer", .opportunity, store)
            try RecordActions.add(
                .opportunity,
                [
                    ("customer", customer), ("title", .text(title)),
                    ("amount", try parseValue(amount, "amount", .opportunity, store)),
                    ("stage", choiceValue(stage, .opportunity, "stage")),
                    ("owner", .text(try store.session()?.user ?? "")),
                ],
                options: fields, global: global,
                summary: "add opportunity \(title) for \(global.display(store).name(customer))")
        }
    }

    struct Stage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an opportunity to a stage: \(OpportunityStage.all.map(\.name).joined(separator: ", ")).",
            discussion: "Example: fieldsync opp stage 年度框架协议 lost --loss-reason \"价格\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id, prefix or exact title.") var opportunity: String
        @Argument(help: "The new stage.") var stage: String
        @Option(help: "Why it was lost (with stage lost).") var lossReason: String?
        func run() throws {
            try RecordActions.edit(opportunity, .opportunity, global: global, summary: { "stage \(stage) for \($0)" }) {
                id, builder in
                try builder.set(id, "stage", choiceValue(stage, .opportunity, "stage"))
                if let lossReason { try builder.set(id, "lossReason", .text(lossReason)) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List opportunities.", discussion: "Example: fieldsync opp list --stage presenting --json")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this stage.") var stage: String?
        @Flag(help: "Only open deals (not won or lost).") var open = false
        @OptionGroup var filters: ListOptions
        func validate() throws { _ = try choiceFilter(stage, "stage", .opportunity, "stage") }
        func run() throws {
            let stage = try choiceFilter(stage, "stage", .opportunity, "stage")
            try RecordActions.list(
                .opportunity, columns: ["title", "stage", "amount", "closeDate", "owner", "customer"], global: global,
                options: filters, order: "closeDate"
            ) {
                (stage == nil || $0.state.value("stage") == .text(stage!))
                    && (!open || !(OpportunityStage.named(Reports.stage(of: $0.state))?.isTerminal ?? false))
            }
        }
    }

    /// `fieldsync opp item add|list`: the products of a deal (schema version 2).
    struct Item: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Line items of an opportunity: products, quantities, unit prices.",
            discussion: "Example: fieldsync opp item list 仓库货架", subcommands: [AddItem.self, ListItems.self])
    }

    struct AddItem: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a product line to an opportunity; prints its id.",
            discussion: "Example: fieldsync opp item add 仓库货架 --product \"货架 A\" --quantity 40 --price \"250.00 CNY\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id, prefix or exact title).") var opportunity: String
        @Option(help: "Product or service.") var product: String
        @Option(help: "How many (a whole number).") var quantity: String
        @Option(help: "Price of one, with currency, e.g. '250.00 CNY'.") var price: String
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let store = try global.store()
            let deal = try global.resolve(opportunity, .opportunity, in: store)
            let customer = try store.record(deal)?.state.value("customer") ?? .null
            try RecordActions.add(
                .lineItem,
                [
                    ("customer", customer), ("opportunity", .text(deal.rawValue)), ("product", .text(product)),
                    ("quantity", try parseValue(quantity, "quantity", .lineItem, store)),
                    ("unitPrice", try parseValue(price, "unitPrice", .lineItem, store)),
                ],
                options: fields, global: global, summary: "add \(product) to \(global.display(store).name(deal))")
        }
    }

    struct ListItems: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List an opportunity's line items and what they add up to.",
            discussion: "Example: fieldsync opp item list 仓库货架 --json")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The opportunity (id, prefix or exact title).") var opportunity: String
        func run() throws {
            let store = try global.store()
            let deal = try global.resolve(opportunity, .opportunity, in: store)
            try RecordActions.list(
                .lineItem, columns: ["product", "quantity", "unitPrice"], global: global
            ) { $0.state.value("opportunity") == .text(deal.rawValue) }
            guard !global.json else { return }
            let items = try store.records(.lineItem).filter { $0.state.value("opportunity") == .text(deal.rawValue) }
            for (currency, minor) in LineItems.total(items.map(\.state)).sorted(by: { $0.key < $1.key }) {
                let total = Money(minor: minor, currency: currency)
                print("Total \(total)", terminator: "")
                if try store.record(deal)?.state.value("amount") != .money(total) {
                    print(
                        " (the deal's amount differs: fieldsync opp edit \(deal) --set amount=\"\(total)\")",
                        terminator: "")
                }
                print("")
            }
        }
    }
}
