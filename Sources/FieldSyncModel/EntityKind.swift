/// The kinds of record FieldSync syncs.
public enum EntityKind: String, CaseIterable, Codable, Sendable, Comparable {
    /// A customer card (客户资料卡): the heart of the rep's work.
    case customer
    /// A person at a customer.
    case contact
    /// A planned or completed visit to a customer.
    case visit
    /// A sales opportunity moving along the stages.
    case opportunity
    /// A customer complaint and its handling workflow.
    case complaint
    /// One product line of an opportunity (schema version 2).
    case lineItem

    /// The prefix of new record ids of this kind, e.g. `cus` in `cus-7dxvh63m5k`.
    public var idPrefix: String {
        switch self {
        case .customer: "cus"
        case .contact: "con"
        case .visit: "vis"
        case .opportunity: "opp"
        case .complaint: "cmp"
        case .lineItem: "itm"
        }
    }

    public static func < (lhs: EntityKind, rhs: EntityKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes an entity name, refusing an unknown one with the list of entities.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        do { self = try EntityKind(named: name) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Parses an entity name, with an error that lists the entities.
    public init(named name: String) throws(ModelError) {
        guard let kind = EntityKind(rawValue: name) else {
            throw ModelError(
                .unknownEntity,
                "Unknown entity '\(name.prefix(80))': use one of \(EntityKind.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
        self = kind
    }
}
