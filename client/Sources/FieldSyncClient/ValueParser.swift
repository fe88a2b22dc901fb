import FieldSyncModel
import Foundation

/// Turns what a user typed into a value of the field's type; references are resolved to record ids.
public struct ValueParser {
    /// The laptop's store, for references and the schema.
    public let store: LocalStore

    /// Creates a parser that resolves references in `store`.
    public init(store: LocalStore) { self.store = store }

    /// The value of `field` that `text` spells; an empty text clears the field.
    public func parse(_ text: String, for field: FieldSpec, of entity: EntityKind) throws -> Value {
        let label = "\(entity.rawValue).\(field.name)"
        // A day word (`today`, `tomorrow`, `fri`) is the laptop's local date.
        if case .date = field.type, let day = LocalTime().date(text) { return .text(day) }
        switch field.type {
        case .dateTime where !text.isEmpty:
            return .text(try Self.dateTime(text, label: label))
        case .reference(let target) where !text.isEmpty:
            return .text(try store.resolve(text, entity: target).rawValue)
        case .choice(let values) where !values.contains(text):
            // Choices are typed in any case (`decisionmaker`); anything else is refused with the list.
            if let match = Self.choice(text, among: values) { return .text(match) }
            do { return try Value.parse(text, as: field.type, label: label) } catch { throw ClientError(error) }
        default:
            do { return try Value.parse(text, as: field.type, label: label) } catch { throw ClientError(error) }
        }
    }

    /// The one of `values` that `text` names, ignoring case.
    public static func choice(_ text: String, among values: [String]) -> String? {
        values.first { $0 == text } ?? values.first { $0.caseInsensitiveCompare(text) == .orderedSame }
    }

    /// What a rep typed for a date and time, as stored UTC (`LocalTime.dateTime`, in the laptop's time zone).
    public static func dateTime(_ text: String, label: String) throws -> String {
        try LocalTime().dateTime(text, label: label)
    }

    /// A date as UTC `YYYY-MM-DDTHH:MM:SSZ`.
    public static func utc(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.string(from: date)
    }

    /// Parses repeated `--set field=value` options for a record of `entity`: each field with its value. References
    /// are resolved here, so call it before an edit's transaction.
    public func values(_ assignments: [String], of entity: EntityKind) throws -> [(field: String, value: Value)] {
        try assignments.map { assignment in
            guard let equals = assignment.firstIndex(of: "=") else {
                throw ClientError(
                    .invalidArgument, "--set takes field=value (e.g. --set phone=0571-1234); got '\(assignment)'.")
            }
            let name = String(assignment[..<equals])
            let field: FieldSpec
            do throws(ModelError) { field = try store.schema.field(name, of: entity) } catch {
                throw ClientError(error)
            }
            if field.type.isSet {
                throw ClientError(.wrongType, "\(entity.rawValue).\(name) is a set of tags: use --tag and --untag.")
            }
            return (name, try parse(String(assignment[assignment.index(after: equals)...]), for: field, of: entity))
        }
    }
}
