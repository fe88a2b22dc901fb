import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync complaint add|advance|list`.
struct Complaint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Customer complaints.", discussion: "Example: fieldsync complaint list --open",
        subcommands: [Add.self, Advance.self, ShowCommand.self, List.self])
}

extension Complaint {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a complaint; prints its id.",
            discussion: "Example: fieldsync complaint add --customer 杭州西湖茶业 --category quality --description \"包装破损\"")
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
                    ("category", choiceValue(category, .complaint, "category")),
                    ("description", description.map(Value.text) ?? .null), ("step", .text("recorded")),
                ],
                options: fields, global: global, summary: "add complaint")
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a complaint to a workflow step: \(ComplaintStep.names.joined(separator: ", ")).",
            discussion: "Example: fieldsync complaint advance cpl-8hreta2sdc assigned --department 质检")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Complaint id or prefix.") var complaint: String
        @Argument(help: "The step.") var step: String
        @Option(help: "Department (with assigned).") var department: String?
        @Option(help: "Resolution text.") var resolution: String?
        func run() throws {
            try RecordActions.edit(complaint, .complaint, global: global, summary: { "complaint \($0) → \(step)" }) {
                id, _, builder in
                try builder.set(id, "step", choiceValue(step, .complaint, "step"))
                if let department { try builder.set(id, "department", .text(department)) }
                if let resolution { try builder.set(id, "resolution", .text(resolution)) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List complaints.", discussion: "Example: fieldsync complaint list --open")
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
