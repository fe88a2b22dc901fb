import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync complaint add|advance|edit|show|list|delete`.
struct Complaint: ParsableCommand, EntityGroup {
    static let configuration = CommandConfiguration(
        abstract: "Customer complaints.", discussion: "Example: fieldsync complaint list --open",
        subcommands: [
            Add.self, Advance.self, EditCommand<Complaint>.self, ShowCommand.self, List.self,
            DeleteCommand<Complaint>.self,
        ])
    static let entity = EntityKind.complaint
    static let reference = "Complaint id or unique id prefix (see fieldsync complaint list)."
    static let editExample = "cmp-8hreta2sdc --set dueDate=fri --set satisfaction=neutral"

    /// The step moves with `complaint advance`, which keeps it moving forward.
    static func checkEdit(_ fields: FieldOptions) throws {
        if fields.assignments.contains(where: { $0.hasPrefix("step=") }) {
            throw ValidationError("Move the step with: fieldsync complaint advance COMPLAINT STEP")
        }
    }
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
            let customer = try parseValue(customer, "customer", .complaint, store)
            try RecordActions.add(
                .complaint,
                [
                    ("customer", customer),
                    ("category", choiceValue(category, .complaint, "category")),
                    ("description", description.map(Value.text) ?? .null), ("step", .text("recorded")),
                ],
                options: fields, global: global,
                summary:
                    "add \(choiceValue(category, .complaint, "category").text ?? category) complaint, \(global.display(store).name(customer))"
            )
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a complaint forward to a workflow step: \(ComplaintStep.names.joined(separator: ", ")).",
            discussion: """
                Steps only move forward; a manager reopens a closed complaint with --reopen.

                Example: fieldsync complaint advance cmp-8hreta2sdc evaluated --set satisfaction=satisfied
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(Complaint.reference)) var complaint: String
        @Argument(help: "The step.") var step: String
        @Option(help: "Department (with assigned).") var department: String?
        @Option(help: "Resolution text.") var resolution: String?
        @Flag(help: "Move back to an earlier step (managers: reopening a complaint).") var reopen = false
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let step = try choiceFilter(self.step, "step", .complaint, "step") ?? self.step
            try RecordActions.edit(
                complaint, .complaint, global: global, fields: fields, summary: { "complaint \($0) → \(step)" }
            ) { id, builder in
                // Moving back is reopening: asked for explicitly (the model refuses it to a rep either way).
                let current = try builder.state(of: id)?.value("step") ?? .null
                if !reopen, Schema.fieldSync[.complaint]["step"]?.movesForward(from: current, to: .text(step)) == false
                {
                    throw ClientError(
                        .valueNotAllowed,
                        "The complaint is \(current.text ?? ""); steps only move forward. A manager reopens it with --reopen."
                    )
                }
                try builder.set(id, "step", .text(step))
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
        @OptionGroup var filters: ListOptions
        func run() throws {
            try RecordActions.list(
                .complaint, columns: ["category", "step", "dueDate", "department", "customer"], global: global,
                options: filters
            ) {
                !open || !["evaluated", "rejected"].contains($0.state.value("step").text ?? "")
            }
        }
    }
}
