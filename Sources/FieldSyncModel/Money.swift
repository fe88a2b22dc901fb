/// An amount of money in integer minor units (cents, fen) with its ISO 4217 currency code; never floating point.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The amount in minor units, 0 … `Money.maxMinor`.
    public let minor: Int64
    /// Three upper-case letters, e.g. `CNY`, `EUR`.
    public let currency: String

    /// The largest amount accepted: 10^15 minor units, far from `Int64` overflow when summed over a pipeline.
    public static let maxMinor: Int64 = 1_000_000_000_000_000

    /// Creates an amount; `Schema` validation checks the range and the currency code.
    public init(minor: Int64, currency: String) {
        self.minor = minor
        self.currency = currency
    }

    public var description: String {
        let units = minor / 100
        let cents = minor % 100
        return "\(units).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }
}
