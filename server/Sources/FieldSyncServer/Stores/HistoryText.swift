import FieldSyncModel
import Foundation

/// How history rows hold old and new values on every backend: each `Value` as its JSON text, NULL when absent.
enum HistoryText {
    /// The stored text of a value.
    static func text(_ value: Value?) throws -> String? {
        try value.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    }

    /// The value a stored text holds.
    static func value(_ text: String?) throws -> Value? {
        try text.map { try JSONDecoder().decode(Value.self, from: Data($0.utf8)) }
    }
}
