/// The type of a field, with its limits; `Schema` validation enforces it.
public enum FieldType: Hashable, Sendable {
    /// Free text of at most `maxLength` characters; no NUL or control characters except tab and newline.
    case text(maxLength: Int)
    /// A whole number within `min … max`.
    case integer(min: Int64, max: Int64)
    /// Money: integer minor units ≥ 0 and a three-letter currency code.
    case money
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// A moment in UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    case dateTime
    /// One of a fixed list of values.
    case choice([String])
    /// The id of another record of the given entity.
    case reference(EntityKind)
    /// A set of short strings (tags) merged add-wins per element.
    case tags(maxCount: Int, maxLength: Int)

    /// Whether the field is a set written with `add` and `remove` rather than `set`.
    public var isSet: Bool {
        if case .tags = self { return true }
        return false
    }

    /// A short description for messages, help and docs, e.g. `text (≤ 200)` or `one of: A, B, C, D`.
    public var summary: String {
        switch self {
        case .text(let maxLength): "text (at most \(maxLength) characters)"
        case .integer(let min, let max): "whole number \(min)…\(max)"
        case .money: "money {minor, currency}"
        case .date: "date YYYY-MM-DD"
        case .dateTime: "date-time YYYY-MM-DDTHH:MM:SSZ"
        case .choice(let values): "one of: \(values.joined(separator: ", "))"
        case .reference(let entity): "id of a \(entity.rawValue)"
        case .tags(let maxCount, let maxLength): "set of up to \(maxCount) tags of at most \(maxLength) characters"
        }
    }
}
