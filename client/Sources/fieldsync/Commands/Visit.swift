import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync visit plan|complete|cancel|list`.
struct Visit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Visit plans.", discussion: "Example: fieldsync visit list --week",
        subcommands: [Plan.self, Complete.self, Cancel.self, ShowCommand.self, List.self])
}

extension Visit {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan a visit; prints its id.",
            discussion: "Example: fieldsync visit plan --customer 杭州西湖茶业 --at \"2026-12-07 09:30\" --purpose \"年度报价\"")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The customer (id, prefix or name).") var customer: String
        @Option(
            help: ArgumentHelp(
                "When, in this laptop's time: 'YYYY-MM-DD HH:MM', 'tomorrow 09:30', 'mon 14:00', or ISO 8601 with an"
                    + " offset ('2026-12-07T09:30:00+08:00')."))
        var at: String
        @Option(help: "Purpose of the visit.") var purpose: String?
        @Option(help: "Visiting rep (default: you).") var rep: String?
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let store = try global.store()
            try RecordActions.add(
                .visit,
                [
                    ("customer", try parseValue(customer, "customer", .visit, store)),
                    ("plannedAt", try parseValue(at, "plannedAt", .visit, store)),
                    ("purpose", purpose.map(Value.text) ?? .null),
                    ("rep", .text(rep ?? (try store.session()?.user ?? ""))),
                    ("status", .text("planned")),
                ],
                options: fields, global: global, summary: "plan visit")
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a visit completed, with its outcome.",
            discussion: "Example: fieldsync visit complete vis-qp9wpdm53f --outcome \"签了意向书\" --next-step \"寄合同\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Visit id or prefix.") var visit: String
        @Option(help: "Outcome notes.") var outcome: String?
        @Option(help: "Agreed next step.") var nextStep: String?
        func run() throws {
            try RecordActions.edit(visit, .visit, global: global, summary: { "complete visit \($0)" }) {
                id, _, builder in
                try builder.set(id, "status", .text("completed"))
                try builder.set(id, "checkedInAt", .text(ValueParser.utc(Date())))
                if let outcome { try builder.set(id, "outcome", .text(outcome)) }
                if let nextStep { try builder.set(id, "nextStep", .text(nextStep)) }
            }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a visit (or --missed).",
            discussion: "Example: fieldsync visit cancel vis-qp9wpdm53f --missed")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Visit id or prefix.") var visit: String
        @Flag(help: "Record it as missed instead of cancelled.") var missed = false
        func run() throws {
            try RecordActions.edit(visit, .visit, global: global, summary: { "cancel visit \($0)" }) { id, _, builder in
                try builder.set(id, "status", .text(missed ? "missed" : "cancelled"))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List visits.", discussion: "Example: fieldsync visit list --today")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only today's (this laptop's day; UTC with --utc).") var today = false
        @Flag(help: "Only this week's (Monday to Sunday, this laptop's days).") var week = false
        func run() throws {
            let (start, end) = today ? global.time.today() : week ? global.time.thisWeek() : ("", "9999")
            try RecordActions.list(
                .visit, columns: ["plannedAt", "status", "rep", "purpose", "customer"], global: global,
                order: "plannedAt"
            ) {
                let planned = $0.state.value("plannedAt").text ?? ""
                return planned >= start && planned < end
            }
        }
    }
}
