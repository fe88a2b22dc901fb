import FieldSyncModel
import Foundation
import GRDB

/// B10: the rep's real path, each step timed as the whole `fieldsync` process a rep runs: `import customers` of a CSV
/// of `rows` cards (6 columns), `sync --dry-run` of what waits, the first `sync` (push of every card, then the pull
/// back), and a fresh laptop's first `sync` of them; against raw SQLite inserting the same rows through the same
/// binding (GRDB, one transaction: B0).
struct RepPathBenchmark {
    let rows: Int

    /// Each step's run, and B0's seconds.
    struct Result {
        let importing: FieldSyncProcess.Run
        let dryRun: FieldSyncProcess.Run
        let firstSync: FieldSyncProcess.Run
        let freshSync: FieldSyncProcess.Run
        let rawInsertSeconds: Double
    }

    func run() async throws -> Result {
        let server = try await BenchServer.start()
        defer { server.remove() }
        _ = try await server.login("ana", territories: ["east"], replica: "lap-setup")
        let csv = server.directory.appendingPathComponent("customers.csv").path
        let lines = (0..<rows).map { index in
            "客户 \(index) 有限公司,east,0571-\(1_000_000 + index),buyer\(index)@example.cn,文一西路 \(index) 号,machinery"
        }
        try (["name,territory,phone,email,address,industry"] + lines).joined(separator: "\n")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let laptop = server.directory.appendingPathComponent("laptop").path
        let fresh = server.directory.appendingPathComponent("fresh").path
        for folder in [laptop, fresh] { try FieldSyncProcess.login(folder, server) }

        return Result(
            importing: try FieldSyncProcess.timed(
                laptop, ["import", "customers", csv], expect: "Imported \(rows) customers"),
            dryRun: try FieldSyncProcess.timed(laptop, ["sync", "--dry-run"], expect: "Would push \(rows) changes"),
            firstSync: try FieldSyncProcess.timed(laptop, ["sync"], expect: "pushed \(rows), acknowledged \(rows)"),
            freshSync: try FieldSyncProcess.timed(fresh, ["sync"], expect: "pulled \(rows)"),
            rawInsertSeconds: try rawInsert(server.directory.appendingPathComponent("raw.sqlite").path, lines: lines))
    }

    /// B0: the same rows inserted into a plain 6-column table in one transaction through GRDB.
    private func rawInsert(_ path: String, lines: [String]) throws -> Double {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, territory TEXT, phone TEXT, email TEXT,
                        address TEXT, industry TEXT)
                    """)
        }
        let rows = lines.map { $0.split(separator: ",").map(String.init) }
        return try Stopwatch.time {
            try queue.write { db in
                let insert = try db.makeStatement(
                    sql:
                        "INSERT INTO customers(name, territory, phone, email, address, industry) VALUES (?, ?, ?, ?, ?, ?)"
                )
                for row in rows { try insert.execute(arguments: StatementArguments(row)) }
            }
        }
    }
}
