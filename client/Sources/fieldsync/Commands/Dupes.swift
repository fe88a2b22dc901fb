import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync dupes`: customer cards in this laptop's view that are likely one customer.
struct Dupes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List customer cards that are likely duplicates, with why and how likely.",
        discussion: """
            Cards match on the same name once width, case, spaces, punctuation and company suffixes (有限公司, 集团, \
            Co., Ltd. …) are set aside, the same phone digits, or the same e-mail; the score adds up the reasons \
            (name 60, e-mail 50, phone 40, at most 100). A manager merges a pair with `fieldsync customer merge KEEP \
            DUP`.

            Example: fieldsync dupes --min-score 60
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only pairs scoring at least this (1–100).") var minScore = 1

    func validate() throws {
        guard (1...100).contains(minScore) else { throw ValidationError("--min-score takes 1 to 100.") }
    }

    func run() throws {
        let store = try global.store()
        let customers = try store.records(.customer)
        let names = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0.state.value("name").text ?? "") })
        let pairs = DuplicateRule.pairs(customers.map { ($0.id, $0.state) }).filter { $0.score >= minScore }
        if global.json {
            return try global.printJSON(
                pairs.map { pair in
                    DupeJSON(
                        first: pair.first.rawValue, firstName: names[pair.first] ?? "", second: pair.second.rawValue,
                        secondName: names[pair.second] ?? "", reasons: pair.reasons.map(\.rawValue), score: pair.score)
                })
        }
        guard !pairs.isEmpty else {
            return print("No likely duplicates among \(counted(customers.count, "customer card")).")
        }
        printTable(
            ["SCORE", "CUSTOMER", "CUSTOMER", "WHY"],
            pairs.map { pair in
                [
                    String(pair.score), "\(names[pair.first] ?? "") (\(pair.first))",
                    "\(names[pair.second] ?? "") (\(pair.second))", pair.reasons.map(\.text).joined(separator: ", "),
                ]
            })
    }
}

/// One likely pair in `fieldsync dupes --json`.
struct DupeJSON: Encodable {
    let first: String
    let firstName: String
    let second: String
    let secondName: String
    let reasons: [String]
    let score: Int
}
