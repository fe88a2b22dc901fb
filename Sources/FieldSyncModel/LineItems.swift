/// What an opportunity's line items add up to (schema version 2): the amount a deal is worth by its products.
public enum LineItems {
    /// The total of the existing line items among `states`, by currency: quantity × unit price, added up. A total
    /// past `Money.maxMinor` (over 10^13 in major units) is shown as `Money.maxMinor`.
    public static func total(_ states: some Sequence<RecordState>) -> [String: Int64] {
        var totals: [String: Int64] = [:]
        for state in states where state.entity == .lineItem && state.exists {
            guard case .integer(let quantity) = state.value("quantity"),
                case .money(let price) = state.value("unitPrice")
            else { continue }
            let (line, overflow) = quantity.multipliedReportingOverflow(by: price.minor)
            let sum = (totals[price.currency] ?? 0).addingReportingOverflow(overflow ? Money.maxMinor : line)
            totals[price.currency] = sum.overflow ? Money.maxMinor : min(sum.partialValue, Money.maxMinor)
        }
        return totals
    }
}
