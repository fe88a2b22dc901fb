import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync visit plan|reschedule|edit|complete|cancel|show|list|delete`.
struct Visit: ParsableCommand, EntityGroup {
    static let configuration = CommandConfiguration(
        abstract: "Visit plans.", discussion: "Example: fieldsync visit list --week",
        subcommands: [
            Plan.self, Reschedule.self, EditCommand<Visit>.self, Complete.self, Cancel.self, ShowCommand.self,
            List.self,
            DeleteCommand<Visit>.self,
        ])
    static let entity = EntityKind.visit
    static let reference = "Visit id or unique id prefix (see fieldsync visit list)."
    static let editExample = "vis-qp9wpdm53f --set purpose=\"续约\" --set checkInPlace=\"西湖区\""

    /// When a visit is typed: the help of `--at`.
    static let whenHelp =
        "When, in this laptop's time: 'YYYY-MM-DD HH:MM', 'tomorrow 09:30', 'mon 14:00', or ISO 8601 with an"
        + " offset ('2026-12-07T09:30:00+08:00')."
}

extension Visit {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan a visit; prints its id.",
            discussion: "Example: fieldsync visit plan --customer 杭州西湖茶业 --at \"2026-12-07 09:30\" --purpose \"年度报价\"")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The customer (id, prefix or name).") var customer: String
        @Option(help: ArgumentHelp(Visit.whenHelp)) var at: String
        @Option(help: "Purpose of the visit.") var purpose: String?
        @Option(help: "Visiting rep (default: you).") var rep: String?
        @OptionGroup var fields: FieldOptions
        func run() throws {
            let store = try global.store()
            let when = try parseValue(at, "plannedAt", .visit, store)
            let customer = try parseValue(customer, "customer", .visit, store)
            if let rep, rep != (try store.session()?.user) { try Visit.warnIfUnknown(rep, visiting: customer, store) }
            try RecordActions.add(
                .visit,
                [
                    ("customer", customer),
                    ("plannedAt", when),
                    ("purpose", purpose.map(Value.text) ?? .null),
                    ("rep", .text(rep ?? (try store.session()?.user ?? ""))),
                    ("status", .text("planned")),
                ],
                options: fields, global: global,
                summary:
                    "plan visit \(when.text.map(global.time.text(utc:)) ?? at) \(global.display(store).name(customer))")
        }
    }

    /// Warns early when no record this laptop holds in the customer's territory names `rep` (as an owner or a
    /// visiting rep): the server refuses a rep who does not work it, which the laptop cannot check offline.
    static func warnIfUnknown(_ rep: String, visiting customer: Value, _ store: LocalStore) throws {
        let territory = try customer.text.flatMap { try store.record(RecordID(trusted: $0)) }?.state.value("territory")
        let customers = try store.records(.customer).filter { $0.state.value("territory") == territory }
        let ids = Set(customers.map(\.id.rawValue))
        let visits = try store.records(.visit)
        let named =
            customers.contains { $0.state.value("owner") == .text(rep) }
            || visits.contains {
                $0.state.value("rep") == .text(rep) && ids.contains($0.state.value("customer").text ?? "")
            }
        guard !named else { return }
        FileHandle.standardError.write(
            Data(
                ("Note: nothing here in territory \(territory?.text ?? "?") names '\(rep)'; check the user name: the"
                    + " server refuses a rep who does not work it (fieldsync rejected shows it after sync).\n").utf8))
    }

    struct Reschedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a planned visit to another time.",
            discussion: "Example: fieldsync visit reschedule vis-qp9wpdm53f --at \"fri 10:00\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(Visit.reference)) var visit: String
        @Option(help: ArgumentHelp(Visit.whenHelp)) var at: String
        func run() throws {
            let store = try global.store()
            let when = try parseValue(at, "plannedAt", .visit, store)
            let shown = when.text.map(global.time.text(utc:)) ?? at
            try RecordActions.edit(visit, .visit, global: global, summary: { "reschedule visit \($0) to \(shown)" }) {
                id, builder in
                let status = try builder.state(of: id)?.value("status").text ?? "planned"
                guard status == "planned" else {
                    throw ClientError(
                        .valueNotAllowed, "This visit is \(status); plan a new one: fieldsync visit plan --at ….")
                }
                try builder.set(id, "plannedAt", when)
            }
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a visit completed, with its outcome.",
            discussion: "Example: fieldsync visit complete vis-qp9wpdm53f --outcome \"签了意向书\" --next-step \"寄合同\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(Visit.reference)) var visit: String
        @Option(help: "Outcome notes.") var outcome: String?
        @Option(help: "Agreed next step.") var nextStep: String?
        func run() throws {
            try RecordActions.edit(visit, .visit, global: global, summary: { "complete visit \($0)" }) {
                id, builder in
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
        @Argument(help: ArgumentHelp(Visit.reference)) var visit: String
        @Flag(help: "Record it as missed instead of cancelled.") var missed = false
        func run() throws {
            try RecordActions.edit(visit, .visit, global: global, summary: { "cancel visit \($0)" }) {
                id, builder in
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
        @Option(help: "Only this customer's visits.") var customer: String?
        @OptionGroup var filters: ListOptions
        func run() throws {
            let id = try customer.map { try global.store().resolve($0, entity: .customer) }
            let (start, end) = today ? global.time.today() : week ? global.time.thisWeek() : ("", "9999")
            try RecordActions.list(
                .visit, columns: ["plannedAt", "status", "rep", "purpose", "customer"], global: global,
                options: filters, order: "plannedAt"
            ) {
                guard id == nil || $0.state.value("customer") == .text(id!.rawValue) else { return false }
                let planned = $0.state.value("plannedAt").text ?? ""
                return planned >= start && planned < end
            }
        }
    }
}
