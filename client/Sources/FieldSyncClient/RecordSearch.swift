import FieldSyncModel
import Foundation

/// What `fieldsync search` and `--search` match: a record's text fields (name, phone, e-mail, address, …) and its
/// notes, ignoring case and width; Chinese matches by substring. A query of digits matches phone numbers however
/// they are spaced or dashed (`13800` finds `138-0013-8000`).
public struct RecordSearch: Sendable {
    let query: String
    let digits: String?

    /// A search for `text`.
    public init(_ text: String) {
        query = Self.folded(text)
        let onlyDigits = text.allSatisfy { $0.isNumber || " -+().".contains($0) }
        let digits = text.filter(\.isNumber)
        self.digits = onlyDigits && digits.count >= 3 ? digits : nil
    }

    /// Where `state` matches: the first field (or `notes`) holding the text, or `nil`.
    public func match(_ state: RecordState, schema: Schema) -> String? {
        guard let entity = state.entity, !query.isEmpty else { return nil }
        for field in schema[entity].fields {
            switch field.type {
            case .text:
                guard let text = state.value(field.name).text else { continue }
                if Self.folded(text).contains(query) { return field.name }
                if let digits, text.filter(\.isNumber).contains(digits) { return field.name }
            case .tags:
                if state.elements(field.name).contains(where: { Self.folded($0).contains(query) }) { return field.name }
            default: continue
            }
        }
        return state.notes.contains { Self.folded($0.text).contains(query) } ? "notes" : nil
    }

    private static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .widthInsensitive, .diacriticInsensitive], locale: nil)
    }
}
