/// Checks of the textual date forms the schema stores, without Foundation.
public enum CalendarText {
    /// Whether `text` is a real calendar date `YYYY-MM-DD` between the years 1900 and 2999.
    public static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
            let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10])
        else { return false }
        guard (1900...2999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    /// Whether `text` is a UTC date-time `YYYY-MM-DDTHH:MM:SSZ` with a real date and time.
    public static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A, bytes[19] == 0x5A,
            let date = String(text.utf8.prefix(10)), isDate(date),
            let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19])
        else { return false }
        return hour < 24 && minute < 60 && second < 60
    }

    /// The number of days in `month` of `year` (Gregorian calendar).
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var result = 0
        for digit in digits {
            guard digit >= 0x30, digit <= 0x39 else { return nil }
            result = result * 10 + Int(digit - 0x30)
        }
        return result
    }
}
