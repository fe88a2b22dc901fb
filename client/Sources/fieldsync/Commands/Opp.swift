import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync opp add|edit|stage|list`.
struct Opp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opp", abstract: "Opportunities.", discussion: "Example: fieldsync opp list --stage closing",
        subcommands: [Add.self, Edit.self, Stage.self, ShowCommand.self, List.self])
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
            try RecordActions.add(
                .opportunity,
                [
                    ("customer", try parseValue(customer, "customer", .opportunity, store)), ("title", .text(title)),
                    ("amount", try parseValue(amount, "amount", .opportunity, store)), ("stage", .text(stage)),
                    ("owner", .text(try store.session()?.user ?? "")),
                ],
                options: fields, global: global, summary: "add opportunity \(title)")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change fields of an opportunity.",
            discussion: "Example: fieldsync opp edit 年度框架协议 --set amount=\"139999.00 CNY\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id, prefix or exact title.") var opportunity: String
        @OptionGroup var fields: FieldOptions
        func validate() throws { if fields.isEmpty { throw ValidationError("Give at least one --set.") } }
        func run() throws {
            try RecordActions.edit(opportunity, .opportunity, global: global, summary: { "edit opportunity \($0)" }) {
                id, store, builder in
                try fields.apply(to: id, of: .opportunity, store: store, &builder)
            }
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
                id, _, builder in
                try builder.set(id, "stage", .text(stage))
                if let lossReason { try builder.set(id, "lossReason", .text(lossReason)) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List opportunities.", discussion: "Example: fieldsync opp list --stage presenting --json")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this stage.") var stage: String?
        func run() throws {
            try RecordActions.list(
                .opportunity, columns: ["title", "stage", "amount", "closeDate", "owner", "customer"], global: global
            ) {
                stage == nil || $0.state.value("stage") == .text(stage!)
            }
        }
    }
}
