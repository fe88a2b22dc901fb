import ArgumentParser
import FieldSyncModel

/// An entity as a user types it: singular, plural or the command group's name (`customer`, `customers`, `opp`,
/// `opps`, `opportunities`, `item`…), in any case.
enum EntityName {
    /// The entity `text` names, or a usage error listing the names.
    static func parse(_ text: String) throws -> EntityKind {
        let word = text.lowercased()
        for kind in EntityKind.allCases where names(of: kind).contains(word) { return kind }
        throw ValidationError(
            "Unknown entity '\(text.prefix(40))': use customer, contact, visit, opp (opportunity), complaint or item"
                + " (singular or plural).")
    }

    private static func names(of kind: EntityKind) -> [String] {
        let base = kind.rawValue.lowercased()
        let extra: [String] =
            switch kind {
            case .opportunity: ["opp", "opps", "opportunities", "deal", "deals"]
            case .lineItem: ["item", "items", "lineitems"]
            default: []
            }
        return [base, base + "s"] + extra
    }
}
