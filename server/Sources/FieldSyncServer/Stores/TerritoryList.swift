import Foundation

/// How a user's territories are stored in one text column (a JSON array), the same on every store.
enum TerritoryList {
    /// The column text for `list`.
    static func encode(_ list: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(list)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The territories in a column's text; none when it is unreadable.
    static func decode(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
