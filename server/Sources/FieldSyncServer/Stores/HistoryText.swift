import FieldSyncModel
import Foundation

/// How history rows hold old and new values on every backend: each `Value` as its JSON text, NULL when absent.
enum HistoryText {
    /// The stored text of a value (written by hand: every write of every push has one).
    static func text(_ value: Value?) throws -> String? { value?.compactJSON }

    /// The value a stored text holds.
    static func value(_ text: String?) throws -> Value? {
        try text.map { try JSONDecoder().decode(Value.self, from: Data($0.utf8)) }
    }

    /// What a history row's write changed (its tag, for adds and removes, is the value it wrote).
    static func target(record: String, op: String, field: String?, newValue: String?) throws -> WriteTarget {
        let element = op == "add" || op == "remove" ? try value(newValue)?.text : nil
        return WriteTarget(
            record: RecordID(trusted: record), op: op, field: field?.isEmpty == true ? nil : field, element: element)
    }
}

extension HistoryEntry {
    /// Whether `lhs` was written before `rhs`: by change number, then by write id (whose index is a number: the text
    /// order the database sorts by puts a mutation's eleventh write before its ninth).
    static func inOrderWritten(_ lhs: HistoryEntry, _ rhs: HistoryEntry) -> Bool {
        (lhs.seq, lhs.write) < (rhs.seq, rhs.write)
    }
}
