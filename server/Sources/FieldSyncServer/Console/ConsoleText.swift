import FieldSyncModel
import Foundation

/// How the console writes values, records and times: the words a manager reads, escaped for HTML where text is
/// placed into markup by hand (the templates escape everything else).
enum ConsoleText {
    /// `text` escaped for HTML text and attribute values.
    static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A value as shown: empty for none, money with its currency.
    static func value(_ value: Value) -> String {
        switch value {
        case .null: ""
        case .text(let text): text
        case .integer(let number): String(number)
        case .money(let money): money.description
        }
    }

    /// Amounts per currency, largest currency first: `1200000.00 CNY + 800.00 EUR`, or `0` for none.
    static func amounts(_ amounts: [String: Int64]) -> String {
        let parts = amounts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
            Money(minor: $0.value, currency: $0.key).description
        }
        return parts.isEmpty ? "0" : parts.joined(separator: " + ")
    }

    /// Amounts per currency in a form a test can compare: `CNY:120000000;EUR:80000`, by currency.
    static func machineAmounts(_ amounts: [String: Int64]) -> String {
        amounts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ";")
    }

    /// Whether `text` holds `needle`, byte for byte (`ByteSearch`).
    static func contains(_ text: String, _ needle: String) -> Bool {
        var text = text
        var needle = needle
        return text.withUTF8 { haystack in needle.withUTF8 { ByteSearch.contains(haystack, $0) } }
    }

    /// The name of the customer whose id is `text`, or nothing when it is not an id in view.
    static func label(ofCustomer text: String, in records: [RecordID: ConsoleView.Entry]) -> String {
        (try? RecordID(text)).map { label($0, in: records) } ?? ""
    }

    /// What a record is called: a customer's name, an opportunity's title, a visit's time and customer.
    static func label(_ id: RecordID, in records: [RecordID: ConsoleView.Entry]) -> String {
        guard let state = records[id]?.state else { return id.rawValue }
        let customer = state.value("customer").text.flatMap { try? RecordID($0) }.flatMap {
            records[$0]?.state.value("name").text
        }
        switch state.entity {
        case .customer: return state.value("name").text ?? id.rawValue
        case .contact:
            return [state.value("name").text, customer.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        case .opportunity: return state.value("title").text ?? id.rawValue
        case .visit:
            return [state.value("plannedAt").text.map(dateTime), customer].compactMap { $0 }.joined(separator: " · ")
        case .complaint:
            return [state.value("category").text, customer].compactMap { $0 }.joined(separator: " · ")
        case .lineItem:
            return [state.value("product").text, customer].compactMap { $0 }.joined(separator: " · ")
        case nil: return id.rawValue
        }
    }

    /// The time zone times are shown in: the server's (`TZ`), with its offset written out.
    static let timeZone = TimeZone.current

    /// `ms` since 1970 as `2026-12-04 14:30 +08:00` in the console's time zone.
    static func time(_ ms: Int64) -> String {
        format(Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// A stored UTC date-time (`2026-12-04T06:30:00Z`) in the console's time zone; other text unchanged.
    static func dateTime(_ text: String) -> String {
        guard let date = ISO8601DateFormatter().date(from: text) else { return text }
        return format(date)
    }

    private static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm xxx"
        return formatter.string(from: date)
    }

    /// `YYYY-MM-DD` of `date` in the console's time zone.
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// The first day of this month, of the next month, of this quarter and of the next quarter, `YYYY-MM-DD`.
    static func periods(at date: Date) -> (month: (String, String), quarter: (String, String)) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month], from: date)
        let year = parts.year ?? 1970
        let month = parts.month ?? 1
        func first(_ year: Int, _ month: Int) -> String {
            let carried = month > 12 ? (year + 1, month - 12) : (year, month)
            return String(format: "%04d-%02d-01", carried.0, carried.1)
        }
        let quarter = (month - 1) / 3 * 3 + 1
        return ((first(year, month), first(year, month + 1)), (first(year, quarter), first(year, quarter + 3)))
    }

    /// This ISO week's Monday and the next Monday in the console's time zone, as UTC date-time bounds.
    static func week(at date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let start = calendar.dateInterval(of: .weekOfYear, for: date)?.start ?? date
        let formatter = ISO8601DateFormatter()
        return (formatter.string(from: start), formatter.string(from: start.addingTimeInterval(7 * 86_400)))
    }
}
