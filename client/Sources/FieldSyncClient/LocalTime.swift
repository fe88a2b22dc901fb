import FieldSyncModel
import Foundation

/// Times as the rep reads and types them: in the laptop's time zone, while records keep UTC
/// (`YYYY-MM-DDTHH:MM:SSZ`). `fieldsync --utc` shows UTC instead.
public struct LocalTime: Sendable {
    /// The zone times are shown and read in.
    public let zone: TimeZone

    /// `YYYY-MM-DD HH:MM` in the zone, made once: a list shows a time per row.
    private let minutes: DateFormatter

    /// Times in `zone` (the laptop's by default: `TZ`, else the system's).
    public init(zone: TimeZone = .current) {
        self.zone = zone
        minutes = Self.formatter("yyyy-MM-dd HH:mm", zone)
    }

    /// Times in UTC.
    public static let utc = LocalTime(zone: TimeZone(identifier: "UTC")!)

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        return calendar
    }

    private func formatter(_ format: String) -> DateFormatter { Self.formatter(format, zone) }

    private static func formatter(_ format: String, _ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }

    // MARK: - Showing

    /// `YYYY-MM-DD HH:MM` in the zone.
    public func text(_ date: Date) -> String { minutes.string(from: date) }

    /// A time in milliseconds since 1970 as `YYYY-MM-DD HH:MM` in the zone.
    public func text(ms: Int64) -> String { text(Date(timeIntervalSince1970: Double(ms) / 1000)) }

    /// A stored UTC date-time as `YYYY-MM-DD HH:MM` in the zone; any other text as it is.
    public func text(utc stored: String) -> String {
        guard CalendarText.isDateTime(stored), let date = Self.parseUTC(stored) else { return stored }
        return text(date)
    }

    /// The zone's name and offset at `date`, for a heading or a record: `Asia/Shanghai, UTC+08:00`, or `UTC`.
    public func label(at date: Date = Date()) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        guard seconds != 0 || !["UTC", "GMT"].contains(zone.identifier) else { return "UTC" }
        let sign = seconds < 0 ? "-" : "+"
        let offset = String(format: "UTC%@%02d:%02d", sign, abs(seconds) / 3600, abs(seconds) % 3600 / 60)
        return "\(zone.identifier), \(offset)"
    }

    // MARK: - Ranges

    /// Today in the zone, as UTC bounds `[start, end)` comparable with stored date-times.
    public func today(_ now: Date = Date()) -> (String, String) {
        let start = calendar.startOfDay(for: now)
        return bounds(start, calendar.date(byAdding: .day, value: 1, to: start)!)
    }

    /// This week in the zone, Monday to Sunday, as UTC bounds `[start, end)`.
    public func thisWeek(_ now: Date = Date()) -> (String, String) {
        let start = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? calendar.startOfDay(for: now)
        return bounds(start, calendar.date(byAdding: .day, value: 7, to: start)!)
    }

    /// The local dates `[start, end)` (`YYYY-MM-DD`) of a period: `this-month`, `next-month`, `this-quarter`,
    /// `next-quarter`, `this-year`, `2026-12` or `2027-Q1`; `nil` for anything else.
    public func period(_ name: String, now: Date = Date()) -> (String, String)? {
        let parts = calendar.dateComponents([.year, .month], from: now)
        let (year, month) = (parts.year ?? 1970, parts.month ?? 1)
        let quarter = (month - 1) / 3 * 3 + 1
        let (startYear, startMonth, months): (Int, Int, Int)
        switch name.lowercased() {
        case "this-month": (startYear, startMonth, months) = (year, month, 1)
        case "next-month": (startYear, startMonth, months) = (year, month + 1, 1)
        case "this-quarter": (startYear, startMonth, months) = (year, quarter, 3)
        case "next-quarter": (startYear, startMonth, months) = (year, quarter + 3, 3)
        case "this-year": (startYear, startMonth, months) = (year, 1, 12)
        default:
            let fields = name.uppercased().split(separator: "-")
            guard fields.count == 2, let year = Int(fields[0]), fields[0].count == 4 else { return nil }
            if fields[1].hasPrefix("Q"), let number = Int(fields[1].dropFirst()), (1...4).contains(number) {
                (startYear, startMonth, months) = (year, number * 3 - 2, 3)
            } else if let number = Int(fields[1]), (1...12).contains(number), fields[1].count == 2 {
                (startYear, startMonth, months) = (year, number, 1)
            } else {
                return nil
            }
        }
        func day(_ year: Int, _ month: Int) -> String {
            let months = year * 12 + month - 1
            return String(format: "%04d-%02d-01", months / 12, months % 12 + 1)
        }
        return (day(startYear, startMonth), day(startYear, startMonth + months))
    }

    /// The moment a look back names, in ms since 1970: `7d`, `2w`, `24h`, or a local date `2026-12-01` (its start);
    /// `nil` for anything else.
    public func since(_ text: String, now: Date = Date()) -> Int64? {
        let start: Date?
        if CalendarText.isDate(text), let date = minutes.date(from: text + " 00:00") {
            start = date
        } else if let count = Int(text.dropLast()), count >= 0,
            let unit = ["h": 3_600.0, "d": 86_400.0, "w": 604_800.0][String(text.suffix(1)).lowercased()]
        {
            start = now.addingTimeInterval(-Double(count) * unit)
        } else {
            start = nil
        }
        return start.map { Int64($0.timeIntervalSince1970 * 1000) }
    }

    private func bounds(_ start: Date, _ end: Date) -> (String, String) {
        (ValueParser.utc(start), ValueParser.utc(end))
    }

    // MARK: - Reading

    private static let weekdays = [
        "monday": 2, "mon": 2, "tuesday": 3, "tue": 3, "wednesday": 4, "wed": 4, "thursday": 5, "thu": 5,
        "friday": 6, "fri": 6, "saturday": 7, "sat": 7, "sunday": 1, "sun": 1,
    ]

    /// The local day a word names: `today`, `tomorrow`, or a weekday (`mon`, `monday`: the next one, today included).
    public func day(_ word: String, now: Date = Date()) -> Date? {
        let today = calendar.startOfDay(for: now)
        switch word.lowercased() {
        case "today": return today
        case "tomorrow": return calendar.date(byAdding: .day, value: 1, to: today)
        default:
            guard let weekday = Self.weekdays[word.lowercased()] else { return nil }
            let ahead = (weekday - calendar.component(.weekday, from: today) + 7) % 7
            return calendar.date(byAdding: .day, value: ahead, to: today)
        }
    }

    /// A date-field value from a word (`today`, `tomorrow`, a weekday) as `YYYY-MM-DD`, or `nil` for other text.
    public func date(_ text: String, now: Date = Date()) -> String? {
        day(text, now: now).map { formatter("yyyy-MM-dd").string(from: $0) }
    }

    /// What a rep typed for a date and time, as stored UTC: `YYYY-MM-DD HH:MM` in the zone, ISO 8601 with an offset
    /// or `Z` (`2026-12-02T09:00:00+08:00`), or a day word and a time (`tomorrow 09:30`, `mon 14:00`).
    public func dateTime(_ text: String, label: String, now: Date = Date()) throws -> String {
        let text = text.trimmingCharacters(in: .whitespaces)
        if CalendarText.isDateTime(text) { return text }
        let iso = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
            [.withFullDate, .withTime, .withColonSeparatorInTime, .withTimeZone, .withDashSeparatorInDate],
        ] {
            iso.formatOptions = options
            if let date = iso.date(from: text) { return ValueParser.utc(date) }
        }
        for format in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            if let date = formatter(format).date(from: text) { return ValueParser.utc(date) }
        }
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count == 2, let day = day(String(parts[0]), now: now) {
            let time = formatter("yyyy-MM-dd HH:mm").date(
                from: formatter("yyyy-MM-dd").string(from: day) + " " + parts[1])
            if let time { return ValueParser.utc(time) }
        }
        if parts.count == 1, day(text, now: now) != nil {
            throw ClientError(.invalidDate, "\(label) needs a time too: '\(text) 09:30'.")
        }
        throw ClientError(
            .invalidDate,
            "\(label) takes a local date and time like '2026-11-25 14:30', 'tomorrow 09:30' or 'mon 14:00', or ISO 8601"
                + " with an offset like '2026-11-25T14:30:00+08:00'; got '\(text.prefix(60))'.")
    }

    /// A stored UTC date-time (checked to be `YYYY-MM-DDTHH:MM:SSZ`) as a date.
    static func parseUTC(_ text: String) -> Date? { storedUTC.date(from: text) }

    private static let storedUTC = formatter("yyyy-MM-dd'T'HH:mm:ss'Z'", TimeZone(identifier: "UTC")!)
}
