import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

extension Customer {
    /// `fieldsync customer merge KEEP DUP`: one mutation that folds a duplicate card into the one kept.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge a duplicate customer card into the one you keep (managers and admins).",
            discussion: """
                The duplicate becomes a redirect to the card kept: its contacts, visits, opportunities and complaints \
                move to it (and to its territory), its tags and notes join it, each field only the duplicate had is \
                carried over, and each field where the two differ becomes a conflict to review with `fieldsync \
                conflicts`. Edits reps made to the duplicate offline land on the card kept when they sync. Asks for \
                confirmation on a terminal; `--yes` skips it. Find likely pairs with `fieldsync dupes`.

                Example: fieldsync customer merge 杭州明达机械有限公司 cus-7dxvh63m5k
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The card to keep: id, unique id prefix, or exact name.") var keep: String
        @Argument(help: "The duplicate to merge into it: id, unique id prefix, or exact name.") var duplicate: String
        @Flag(help: "Merge without asking.") var yes = false

        func run() throws {
            let store = try global.store()
            let keepID = try global.resolve(keep, .customer, in: store)
            let dupID = try global.resolve(duplicate, .customer, in: store)
            guard keepID != dupID else {
                throw ClientError(
                    .invalidMutation, "'\(keep)' and '\(duplicate)' are already one customer card: \(keepID).")
            }
            let role = try store.session()?.role
            if let role, role == .rep {
                throw ClientError(
                    .forbidden,
                    "Only managers and admins merge customers: ask your manager to merge \(dupID) into \(keepID).")
            }
            let keepName = try store.record(keepID)?.state.value("name").text ?? keepID.rawValue
            let dupName = try store.record(dupID)?.state.value("name").text ?? dupID.rawValue
            try Confirmation.ask(
                "Merge \(dupName) (\(dupID)) into \(keepName) (\(keepID))? The duplicate's card goes away.", yes: yes)
            let mutation = try store.edit(summary: "merge customer \(dupName) into \(keepName)") { builder in
                try builder.merge(dupID, into: keepID)
            }
            if global.json {
                try global.printJSON(SavedJSON(id: keepID.rawValue, seq: mutation.seq, changes: mutation.writes.count))
            } else {
                print("Merged \(dupName) (\(dupID)) into \(keepName) (\(keepID)); sync to share it.")
            }
        }
    }
}
