extension Value {
    /// The value `text` spells for a field of `type`, as a person types it: a whole number, money as `12999.50 CNY`,
    /// anything else as written (dates, UTC date-times, choices, record ids, text). An empty text clears the field.
    /// Schema validation then checks the result against the field's rules.
    public static func parse(_ text: String, as type: FieldType, label: String) throws(ModelError) -> Value {
        if text.isEmpty { return .null }
        switch type {
        case .integer:
            guard let number = Int64(text) else {
                throw ModelError(.wrongType, "\(label) takes a whole number; got '\(text.prefix(80))'.")
            }
            return .integer(number)
        case .money:
            return .money(try Money.parse(text, label: label))
        case .text, .date, .dateTime, .choice, .reference, .tags:
            return .text(text)
        }
    }
}

extension Money {
    /// `12999.50 CNY`, `CNY 12999.50`, `12,999 EUR` → minor units; never through floating point.
    public static func parse(_ text: String, label: String) throws(ModelError) -> Money {
        let parts = text.split(separator: " ").map(String.init)
        let bad = ModelError(
            .invalidMoney, "\(label) takes an amount and a currency, e.g. '12999.50 CNY'; got '\(text.prefix(80))'.")
        guard parts.count == 2 else { throw bad }
        let (amount, currency) = parts[0].first?.isLetter == true ? (parts[1], parts[0]) : (parts[0], parts[1])
        let digits = amount.replacing(",", with: "")
        let pieces = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), let units = Int64(pieces[0]), units >= 0, pieces[0].allSatisfy(\.isNumber)
        else { throw bad }
        var cents: Int64 = 0
        if pieces.count == 2 {
            guard (1...2).contains(pieces[1].count), let fraction = Int64(pieces[1]), pieces[1].allSatisfy(\.isNumber)
            else { throw bad }
            cents = pieces[1].count == 1 ? fraction * 10 : fraction
        }
        let (product, overflow) = units.multipliedReportingOverflow(by: 100)
        guard !overflow else { throw bad }
        return Money(minor: product + cents, currency: currency.uppercased())
    }
}
