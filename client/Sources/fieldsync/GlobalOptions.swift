import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Data directory (default: $FIELDSYNC_HOME or ~/.fieldsync).")
    var dataDir: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// The data directory in use.
    var directory: String {
        if let dataDir { return dataDir }
        if let home = ProcessInfo.processInfo.environment["FIELDSYNC_HOME"], !home.isEmpty { return home }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".fieldsync")
    }

    /// Opens the local replica.
    func store() throws -> LocalStore {
        do {
            return try LocalStore(directory: directory)
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError("local_store", "Cannot open the local data in \(directory): \(error)")
        }
    }

    /// The session, its token and an HTTP transport; fails with a hint when not logged in.
    func connection(_ store: LocalStore) throws -> (SessionInfo, String, HTTPTransport) {
        guard let session = try store.session(), let token = TokenFile(directory: directory).read() else {
            throw ClientError(
                "not_logged_in", "Not logged in: run `fieldsync login --server URL --user NAME --password-stdin`.")
        }
        return (session, token, try HTTPTransport(server: session.server))
    }

    /// Prints `value` as pretty, stable JSON.
    func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Whether standard output is a terminal (progress and decoration only then).
let outputIsTerminal = isatty(STDOUT_FILENO) == 1

/// Prints rows as an aligned table; wide (CJK) characters count two columns.
func printTable(_ headers: [String], _ rows: [[String]]) {
    func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            total
                + ((0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                    || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                    || (0xFF00...0xFF60).contains(scalar.value) ? 2 : 1)
        }
    }
    let widths = headers.indices.map { column in
        ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(width).max() ?? 0
    }
    for row in [headers] + rows {
        let cells = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - width(cell))
        }
        print(cells.joined(separator: "  "))
    }
}

/// Turns what a user typed into a value of the field's type; references are resolved to record ids.
struct ValueParser {
    let store: LocalStore

    func parse(_ text: String, for field: FieldSpec, of entity: EntityKind) throws -> Value {
        if text.isEmpty { return .null }
        switch field.type {
        case .integer:
            guard let number = Int64(text) else {
                throw ClientError("wrong_type", "\(entity.rawValue).\(field.name) takes a whole number; got '\(text)'.")
            }
            return .integer(number)
        case .money:
            return .money(try Self.money(text, label: "\(entity.rawValue).\(field.name)"))
        case .dateTime:
            return .text(try Self.dateTime(text, label: "\(entity.rawValue).\(field.name)"))
        case .reference(let target):
            return .text(try store.resolve(text, entity: target).rawValue)
        case .text, .date, .choice, .tags:
            return .text(text)
        }
    }

    /// `12999.50 CNY`, `CNY 12999.50`, `12,999 EUR` → minor units; never through floating point.
    static func money(_ text: String, label: String) throws -> Money {
        let parts = text.split(separator: " ").map(String.init)
        let bad = ClientError(
            "invalid_money", "\(label) takes an amount and a currency, e.g. '12999.50 CNY'; got '\(text)'.")
        guard parts.count == 2 else { throw bad }
        let (amount, currency) = parts[0].first?.isLetter == true ? (parts[1], parts[0]) : (parts[0], parts[1])
        let digits = amount.replacingOccurrences(of: ",", with: "")
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

    /// `YYYY-MM-DD HH:MM` in this laptop's time zone, or `YYYY-MM-DDTHH:MM:SSZ`, → UTC `YYYY-MM-DDTHH:MM:SSZ`.
    static func dateTime(_ text: String, label: String) throws -> String {
        if CalendarText.isDateTime(text) { return text }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        for format in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return utc(date) }
        }
        throw ClientError("invalid_date", "\(label) takes a date and time like '2026-11-25 14:30'; got '\(text)'.")
    }

    /// A date as UTC `YYYY-MM-DDTHH:MM:SSZ`.
    static func utc(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.string(from: date)
    }

    /// Parses repeated `--set field=value` options and applies them through `builder`.
    func apply(_ assignments: [String], to record: RecordID, of entity: EntityKind, _ builder: inout MutationBuilder)
        throws
    {
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw ClientError(
                    "bad_assignment", "--set takes field=value (e.g. --set phone=0571-1234); got '\(assignment)'.")
            }
            let name = String(assignment[..<equals])
            let field: FieldSpec
            do { field = try store.schema.field(name, of: entity) } catch {
                throw ClientError(error.code.rawValue, error.message)
            }
            if field.type.isSet {
                throw ClientError("wrong_type", "\(entity.rawValue).\(name) is a set of tags: use --tag and --untag.")
            }
            try builder.set(
                record, name, try parse(String(assignment[assignment.index(after: equals)...]), for: field, of: entity))
        }
    }
}
