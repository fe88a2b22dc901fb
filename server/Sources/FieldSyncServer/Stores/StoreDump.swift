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

    /// A table: its name, its columns with their types and whether they may be NULL, and how many leading columns
    /// form its primary key.
    public struct Table: Sendable {
        /// The table's name.
        public let name: String
        /// Its columns.
        public let columns: [(name: String, kind: Kind, optional: Bool)]
        /// How many leading columns form the primary key.
        public let keyColumns: Int
        /// The serial column whose sequence continues after the copied rows (PostgreSQL).
        public let serial: String?
    }

    /// Every table, parents before children.
    public static let tables: [Table] = [
        Table(
            name: "users",
            columns: [
                ("id", .integer, false), ("name", .text, false), ("role", .text, false), ("team", .text, false),
                ("territories", .text, false), ("password_hash", .text, false), ("disabled", .bool, false),
                ("scope_epoch", .integer, false),
            ], keyColumns: 1, serial: "id"),
        Table(
            name: "replicas",
            columns: [
                ("id", .text, false), ("user_id", .integer, false), ("last_seq", .integer, false),
                ("clock_offset_ms", .integer, true),
            ], keyColumns: 1, serial: nil),
        Table(
            name: "tokens",
            columns: [
                ("hash", .text, false), ("user_id", .integer, false), ("replica", .text, false),
                ("expires_at", .integer, false), ("revoked", .bool, false),
            ], keyColumns: 1, serial: nil),
        Table(
            name: "records",
            columns: [
                ("id", .text, false), ("entity", .text, false), ("territory", .text, false), ("customer", .text, true),
                ("version", .integer, false), ("deleted", .bool, false), ("conflicts", .integer, false),
                ("state", .bytes, false),
            ], keyColumns: 1, serial: nil),
        Table(
            name: "history",
            columns: [
                ("write_id", .text, false), ("seq", .integer, false), ("record", .text, false), ("op", .text, false),
                ("field", .text, true), ("old_value", .text, true), ("new_value", .text, true),
                ("author", .text, false), ("replica", .text, false), ("hlc", .text, false),
                ("accepted_at", .integer, false),
            ], keyColumns: 1, serial: nil),
        Table(
            name: "moves",
            columns: [
                ("id", .integer, false), ("seq", .integer, false), ("record", .text, false),
                ("old_territory", .text, false), ("new_territory", .text, false),
            ], keyColumns: 1, serial: "id"),
        Table(
            name: "rejections",
            columns: [
                ("replica", .text, false), ("seq", .integer, false), ("code", .text, false), ("reason", .text, false),
            ],
            keyColumns: 2, serial: nil),
        Table(
            name: "counters", columns: [("name", .text, false), ("value", .integer, false)], keyColumns: 1, serial: nil),
    ]

    /// Rows sorted by primary key (byte order for text), so dumps of the same data compare equal on every backend.
    static func sorted(_ rows: [[Cell]], by table: Table) -> [[Cell]] {
        rows.sorted { a, b in
            for index in 0..<table.keyColumns where a[index] != b[index] { return a[index] < b[index] }
            return false
        }
    }

    /// Whether a dump holds a deployment: any user, or any change handed out.
    public var isEmpty: Bool {
        (tables["users"] ?? []).isEmpty && (tables["records"] ?? []).isEmpty
    }

    /// How many rows each table has, for the operator.
    public var counts: [(table: String, rows: Int)] {
        Self.tables.map { ($0.name, tables[$0.name]?.count ?? 0) }
    }
}
