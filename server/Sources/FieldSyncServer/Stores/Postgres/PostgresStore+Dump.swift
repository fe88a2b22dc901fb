import NIOCore
import PostgresNIO

extension PostgresStore {
    public func dump() async throws -> StoreDump {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            var tables: [String: [[StoreDump.Cell]]] = [:]
            for table in StoreDump.tables {
                let sql = "SELECT \(table.columnList) FROM \(table.name)"
                var rows: [[StoreDump.Cell]] = []
                for row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect() {
                    let cells = PostgresRandomAccessRow(row)
                    rows.append(
                        try table.columns.indices.map { try Self.cell(cells[$0], kind: table.columns[$0].kind) })
                }
                tables[table.name] = StoreDump.sorted(rows, by: table)
            }
            return StoreDump(tables: tables)
        }
    }

    static func cell(_ cell: PostgresCell, kind: StoreDump.Kind) throws -> StoreDump.Cell {
        switch kind {
        case .integer: try cell.decode(Int64?.self).map { .integer($0) } ?? .null
        case .bool: try cell.decode(Bool?.self).map { .bool($0) } ?? .null
        case .text: try cell.decode(String?.self).map { .text($0) } ?? .null
        case .bytes: try cell.decode(ByteBuffer?.self).map { .bytes(Array($0.readableBytesView)) } ?? .null
        }
    }

    public func load(_ dump: StoreDump, replacing: Bool) async throws {
        try await client.withTransaction(logger: logger) { connection in
            // One load at a time: a restore and a copy racing each other would interleave their deletes.
            try await connection.query("SELECT pg_advisory_xact_lock(84201)", logger: logger)
            let users = try await connection.query("SELECT count(*) FROM users", logger: logger).collect()[0]
                .decode(Int64.self)
            let records = try await connection.query("SELECT count(*) FROM records", logger: logger).collect()[0]
                .decode(Int64.self)
            guard replacing || (users == 0 && records == 0) else {
                throw StoreError.targetNotEmpty("The target database")
            }
            for table in StoreDump.tables.reversed() {
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table.name)"), logger: logger)
            }
            for table in StoreDump.tables {
                // The schema's own rows (the change counter) were deleted above and are replaced by the source's.
                let rows = dump.tables[table.name] ?? []
                let perStatement = max(1, 30_000 / table.columns.count)  // PostgreSQL takes at most 65,535 binds
                var start = 0
                while start < rows.count {
                    let chunk = rows[start..<min(rows.count, start + perStatement)]
                    var bindings = PostgresBindings(capacity: chunk.count * table.columns.count)
                    var tuples: [String] = []
                    for row in chunk {
                        let first = bindings.count
                        for cell in row { Self.append(cell, to: &bindings) }
                        tuples.append("(" + (1...row.count).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
                    }
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL:
                                "INSERT INTO \(table.name)(\(table.columnList)) VALUES \(tuples.joined(separator: ", "))",
                            binds: bindings), logger: logger)
                    start += chunk.count
                }
                if let serial = table.serial {
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL: """
                                SELECT setval(pg_get_serial_sequence('\(table.name)', '\(serial)'),
                                    coalesce((SELECT max(\(serial)) FROM \(table.name)), 0) + 1, false)
                                """), logger: logger)
                }
            }
        }
        views.forget()
    }

    static func append(_ cell: StoreDump.Cell, to bindings: inout PostgresBindings) {
        switch cell {
        case .null: bindings.appendNull()
        case .integer(let number): bindings.append(number)
        case .bool(let flag): bindings.append(flag)
        case .text(let text): bindings.append(text)
        case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
        }
    }
}
