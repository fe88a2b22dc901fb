import FieldSyncModel
import Foundation

/// UTC date ranges as `YYYY-MM-DD` bounds, for list filters.
public enum DateRange {
    /// The UTC day of `date`.
    public static func day(_ date: Date) -> String { String(ValueParser.utc(date).prefix(10)) }

    /// Today and tomorrow.
    public static func today(_ now: Date = Date()) -> (String, String) {
        (day(now), day(now.addingTimeInterval(86_400)))
    }

    /// This ISO week's Monday and the next Monday.
    public static func thisWeek(_ now: Date = Date()) -> (String, String) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        return (day(start), day(start.addingTimeInterval(7 * 86_400)))
    }
}
