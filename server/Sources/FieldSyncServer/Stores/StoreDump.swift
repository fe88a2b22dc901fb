import FieldSyncModel
import Foundation

/// A whole deployment as rows, the same on every backend: what `fieldsync-server copy` moves between SQLite and
/// PostgreSQL. Ids, change numbers and cursors' sequence positions are kept, so laptops keep syncing without a reset.
public struct StoreDump: Sendable, Equatable {
    /// Rows by table name, in `StoreDump.tables` order.
    public var tables: [String: [[Cell]]]

    /// Creates a dump.
    public init(tables: [String: [[Cell]]]) {
        self.tables = tables
    }

    /// One value, typed as the schema declares its column.
    public enum Cell: Sendable, Hashable, Comparable {
        /// SQL NULL.
        case null
        /// A 64-bit integer.
        case integer(Int64)
        /// A boolean (an integer in SQLite).
        case bool(Bool)
        /// Text.
        case text(String)
        /// Bytes.
        case bytes([UInt8])

        public static func < (lhs: Cell, rhs: Cell) -> Bool {
            switch (lhs, rhs) {
            case (.integer(let a), .integer(let b)): a < b
            case (.text(let a), .text(let b)): a.utf8.lexicographicallyPrecedes(b.utf8)
            default: String(describing: lhs) < String(describing: rhs)
            }
        }
    }

    /// A column's type.
    public enum Kind: Sendable {
        case integer, bool, text, bytes
    }

    /// A table: its name, its columns with their types, and how many leading columns form its primary key.
    public struct Table: Sendable {
        /// The table's name.
        public let name: String
        /// Its columns.
        public let columns: [(name: String, kind: Kind)]
        /// How many leading columns form the primary key.
        public let keyColumns: Int
        /// The serial column whose sequence continues after the copied rows (PostgreSQL).
        public let serial: String?

        /// `SELECT` and `INSERT` column list, in `columns` order.
        var columnList: String { columns.map(\.name).joined(separator: ", ") }
    }

    /// Every table, parents before children.
    public static let tables: [Table] = [
        Table(
            name: "users",
            columns: [
                ("id", .integer), ("name", .text), ("role", .text), ("team", .text),
                ("territories", .text), ("password_hash", .text), ("disabled", .bool),
                ("scope_epoch", .integer),
            ], keyColumns: 1, serial: "id"),
        Table(
            name: "replicas",
            columns: [
                ("id", .text), ("user_id", .integer), ("last_seq", .integer),
                ("clock_offset_ms", .integer), ("last_push_ms", .integer),
            ], keyColumns: 1, serial: nil),
        Table(
            name: "tokens",
            columns: [
                ("hash", .text), ("user_id", .integer), ("replica", .text),
                ("expires_at", .integer), ("revoked", .bool),
            ], keyColumns: 1, serial: nil),
        Table(
            name: "records",
            columns: [
                ("id", .text), ("entity", .text), ("territory", .text), ("customer", .text),
                ("version", .integer), ("deleted", .bool), ("conflicts", .integer),
                ("state", .bytes),
            ], keyColumns: 1, serial: nil),
        Table(
            name: "history",
            columns: [
                ("write_id", .text), ("seq", .integer), ("record", .text), ("op", .text),
                ("field", .text), ("old_value", .text), ("new_value", .text),
                ("author", .text), ("replica", .text), ("hlc", .text),
                ("accepted_at", .integer),
            ], keyColumns: 1, serial: nil),
        Table(
            name: "moves",
            columns: [
                ("id", .integer), ("seq", .integer), ("record", .text),
                ("old_territory", .text), ("new_territory", .text),
            ], keyColumns: 1, serial: "id"),
        Table(name: "pull_views", columns: [("key", .text), ("territories", .text)], keyColumns: 1, serial: nil),
        Table(
            name: "rejections",
            columns: [
                ("replica", .text), ("seq", .integer), ("code", .text), ("reason", .text),
            ],
            keyColumns: 2, serial: nil),
        Table(
            name: "digests", columns: [("replica", .text), ("seq", .integer), ("digest", .text)], keyColumns: 2,
            serial: nil),
        Table(
            name: "counters", columns: [("name", .text), ("value", .integer)], keyColumns: 1, serial: nil),
        Table(
            name: "account_log",
            columns: [
                ("id", .integer), ("at_ms", .integer), ("account", .text), ("action", .text), ("detail", .text),
                ("by_whom", .text),
            ], keyColumns: 1, serial: "id"),
    ]

    /// Rows sorted by primary key (byte order for text), so dumps of the same data compare equal on every backend.
    static func sorted(_ rows: [[Cell]], by table: Table) -> [[Cell]] {
        rows.sorted { a, b in
            for index in 0..<table.keyColumns where a[index] != b[index] { return a[index] < b[index] }
            return false
        }
    }

    /// How many rows each table has, for the operator.
    public var counts: [(table: String, rows: Int)] {
        Self.tables.map { ($0.name, tables[$0.name]?.count ?? 0) }
    }
}

extension StoreDump {
    /// Every record in the dump, deleted ones included, with its territory and decoded state: the truth the simulator
    /// and the sync tests check laptops against.
    public func records() throws -> [RecordID: (territory: String, state: RecordState)] {
        let table = Self.tables.first { $0.name == "records" }!
        let column = { (name: String) in table.columns.firstIndex { $0.name == name }! }
        let (id, territory, state) = (column("id"), column("territory"), column("state"))
        var result: [RecordID: (territory: String, state: RecordState)] = [:]
        for row in tables["records"] ?? [] {
            guard case .text(let key) = row[id], case .text(let place) = row[territory],
                case .bytes(let json) = row[state]
            else { continue }
            result[RecordID(trusted: key)] = (place, try JSONDecoder().decode(RecordState.self, from: Data(json)))
        }
        return result
    }
}
