import Foundation
import GRDB

extension SQLiteStore {
    public func dump() async throws -> StoreDump {
        try await pool.read { db in
            var tables: [String: [[StoreDump.Cell]]] = [:]
            for table in StoreDump.tables {
                let sql = "SELECT \(table.columnList) FROM \(table.name)"
                let rows = try Row.fetchAll(db, sql: sql).map { row in
                    table.columns.indices.map { Self.cell(row[$0] as DatabaseValue, kind: table.columns[$0].kind) }
                }
                tables[table.name] = StoreDump.sorted(rows, by: table)
            }
            return StoreDump(tables: tables)
        }
    }

    static func cell(_ value: DatabaseValue, kind: StoreDump.Kind) -> StoreDump.Cell {
        switch (value.storage, kind) {
        case (.null, _): .null
        case (.int64(let number), .bool): .bool(number != 0)
        case (.int64(let number), _): .integer(number)
        case (.double(let number), _): .integer(Int64(number))
        case (.string(let text), _): .text(text)
        case (.blob(let data), _): .bytes(Array(data))
        }
    }

    public func load(_ dump: StoreDump, replacing: Bool) async throws {
        let path = pool.path
        try await pool.write { db in
            let users = try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0
            let records = try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0
            guard replacing || (users == 0 && records == 0) else { throw StoreError.targetNotEmpty(path) }
            // Children first, for the foreign keys; the schema's own rows (the counters) go too, replaced by the dump's.
            for table in StoreDump.tables.reversed() { try db.execute(sql: "DELETE FROM \(table.name)") }
            for table in StoreDump.tables {
                let statement = try db.makeStatement(
                    sql: "INSERT INTO \(table.name)(\(table.columnList)) VALUES ("
                        + Array(repeating: "?", count: table.columns.count).joined(separator: ", ") + ")")
                for row in dump.tables[table.name] ?? [] {
                    try statement.execute(arguments: StatementArguments(row.map(Self.databaseValue)))
                }
            }
        }
        views.forget()
    }

    static func databaseValue(_ cell: StoreDump.Cell) -> DatabaseValue {
        switch cell {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .bool(let flag): (flag ? 1 : 0).databaseValue
        case .text(let text): text.databaseValue
        case .bytes(let bytes): Data(bytes).databaseValue
        }
    }

    /// SQLite's online backup API: pages are copied from one read snapshot while pushes go on, into a file
    /// beside the target that becomes it only once complete (a killed backup leaves no half file under its name).
    public func backup(to path: String) async throws {
        try await Backup.write(to: path) { partial in
            let target = try DatabaseQueue(path: partial)
            try pool.backup(to: target)
            try target.close()
        }
    }

    public func releaseMemory() {
        cache.removeAll()
        pool.releaseMemoryEventually()
    }

    public func close() async {}
}
