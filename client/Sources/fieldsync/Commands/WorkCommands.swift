import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync visit plan|complete|cancel|list`.
struct Visit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Visit plans.", subcommands: [Plan.self, Complete.self, Cancel.self, ShowCommand.self, List.self])

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Plan a visit; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The customer (id, prefix or name).") var customer: String
        @Option(help: "When: 'YYYY-MM-DD HH:MM' (local time) or UTC 'YYYY-MM-DDTHH:MM:SSZ'.") var at: String
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
        static let configuration = CommandConfiguration(abstract: "Mark a visit completed, with its outcome.")
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
        static let configuration = CommandConfiguration(abstract: "Cancel a visit (or --missed).")
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
        static let configuration = CommandConfiguration(abstract: "List visits.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only today's (UTC).") var today = false
        @Flag(help: "Only this week's (Monday to Sunday, UTC).") var week = false
        func run() throws {
            let (start, end) = today ? DateRange.today() : week ? DateRange.thisWeek() : ("", "9999")
            try RecordActions.list(
                .visit, columns: ["plannedAt", "status", "rep", "purpose", "customer"], global: global
            ) {
                let planned = $0.state.value("plannedAt").text ?? ""
                return planned >= start && planned < end
            }
        }
    }
}

/// `fieldsync opp add|edit|stage|list`.
struct Opp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opp", abstract: "Opportunities.",
        subcommands: [Add.self, Edit.self, Stage.self, ShowCommand.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an opportunity; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "What is being sold.") var title: String
        @Option(help: "The customer (id, prefix or name).") var customer: String
        @Option(help: "Amount with currency, e.g. '129999.00 CNY'.") var amount: String?
        @Option(help: "Stage (default prospecting).") var stage = "prospecting"
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
        static let configuration = CommandConfiguration(abstract: "Change fields of an opportunity.")
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
            abstract: "Move an opportunity to a stage: \(OpportunityStage.all.map(\.name).joined(separator: ", ")).")
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
        static let configuration = CommandConfiguration(abstract: "List opportunities.")
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

/// `fieldsync complaint add|advance|list`.
struct Complaint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Customer complaints.", subcommands: [Add.self, Advance.self, ShowCommand.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a complaint; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The customer (id, prefix or name).") var customer: String
        @Option(help: "quality, contract, delivery or service.") var category: String
        @Option(help: "What the customer reported.") var description: String?
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let store = try global.store()
            try RecordActions.add(
                .complaint,
                [
                    ("customer", try parseValue(customer, "customer", .complaint, store)),
                    ("category", .text(category)),
                    ("description", description.map(Value.text) ?? .null), ("step", .text("recorded")),
                ],
                options: fields, global: global, summary: "add complaint")
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a complaint to a workflow step: \(ComplaintStep.names.joined(separator: ", ")).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Complaint id or prefix.") var complaint: String
        @Argument(help: "The step.") var step: String
        @Option(help: "Department (with assigned).") var department: String?
        @Option(help: "Resolution text.") var resolution: String?
        func run() throws {
            try RecordActions.edit(complaint, .complaint, global: global, summary: { "complaint \($0) → \(step)" }) {
                id, _, builder in
                try builder.set(id, "step", .text(step))
                if let department { try builder.set(id, "department", .text(department)) }
                if let resolution { try builder.set(id, "resolution", .text(resolution)) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List complaints.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only open ones (not evaluated or rejected).") var open = false
        func run() throws {
            try RecordActions.list(
                .complaint, columns: ["category", "step", "dueDate", "department", "customer"], global: global
            ) {
                !open || !["evaluated", "rejected"].contains($0.state.value("step").text ?? "")
            }
        }
    }
}

/// UTC date ranges as `YYYY-MM-DD` bounds.
enum DateRange {
    static func day(_ date: Date) -> String { String(ValueParser.utc(date).prefix(10)) }

    static func today(_ now: Date = Date()) -> (String, String) {
        (day(now), day(now.addingTimeInterval(86_400)))
    }

    static func thisWeek(_ now: Date = Date()) -> (String, String) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        return (day(start), day(start.addingTimeInterval(7 * 86_400)))
    }
}
