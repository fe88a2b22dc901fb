/// The value of one scalar field: nothing, text, a whole number, or money.
///
/// Dates, date-times, choices and references are text whose form the field's `FieldType` checks. On the wire a value
/// is plain JSON: `null`, a string, an integer, or `{"minor": 129900, "currency": "CNY"}`. Fractional and
/// non-finite numbers are refused when decoding.
public enum Value: Hashable, Sendable, Codable, CustomStringConvertible {
    /// No value (the field was cleared, or never set).
    case null
    /// Text: names, notes, dates (`YYYY-MM-DD`), date-times, choices, record references.
    case text(String)
    /// A whole number.
    case integer(Int64)
    /// An amount of money.
    case money(Money)

    /// The text, when this is a text value.
    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    public var description: String {
        switch self {
        case .null: "∅"
        case .text(let text): text
        case .integer(let number): String(number)
        case .money(let money): money.description
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let money = try? container.decode(Money.self) {
            self = .money(money)
        } else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "A value must be null, a string, a whole number, or {\"minor\": <whole number>, \"currency\": \"ABC\"}."
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .text(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .money(let money): try container.encode(money)
        }
    }
}
