import FieldSyncModel
import FieldSyncServer
import Foundation
import GRDB
import TestSupport

/// B12: `fieldsync-server migrate` of a database the first release wrote (every deal's competitor under its old
/// name, in its state and its history), as an operator runs it, against raw SQLite doing the same rewrite (a byte
/// replace of the same rows, batch by batch, through the same binding) on a copy of the same file.
struct MigrateBenchmark {
    let records: Int
    let batchSize: Int

    func run() async throws -> (seconds: Double, rawSeconds: Double, historyRows: Int) {
        let server = try await BenchServer.start()
        defer { server.remove() }
        let token = try await server.login("ana", territories: ["east"], replica: "lap-seed")
        var laptop = BenchLaptop("lap-seed")
        _ = try await server.push([laptop.customer("c0", territory: "east", index: 0)], token: token)
        // The bench's pushes send no FieldSync-Schema header: they speak version 1, which calls the field `competitor`.
        var index = 0
        while index < records {
            let batch = min(1_000, records - index)
            _ = try await server.push(
                (index..<index + batch).map { number in
                    let deal = RecordID(trusted: "o\(number)")
                    return laptop.mutation(
                        [.create(record: deal, entity: .opportunity)]
                            + [
                                ("customer", "c0"), ("title", "货架 \(number)"), ("competitor", "华东货架厂"),
                                ("stage", "presenting"),
                            ].map { .set(record: deal, field: $0.0, value: .text($0.1), bases: []) })
                }, token: token)
            index += batch
        }
        let path = server.directory.appendingPathComponent("server.sqlite").path
        let raw = server.directory.appendingPathComponent("raw.sqlite").path
        let historyRows = try Self.makeFirstRelease(path, copy: raw)

        let started = ContinuousClock.now
        let outcome = try BinaryRunner.run(
            "fieldsync-server", ["migrate", "--db", path, "--batch-size", String(batchSize)])
        let seconds = started.duration(to: .now) / .seconds(1)
        guard outcome.status == 0, outcome.output.contains("\(records) rewritten") else {
            throw BenchFailure("migrate: \(outcome.output) \(outcome.error)")
        }
        let rawSeconds = try Stopwatch.time { try rawRewrite(raw) }
        return (seconds, rawSeconds, historyRows)
    }

    /// Puts the renamed field back under its old name, as the first release stored it, and copies the file.
    static func makeFirstRelease(_ path: String, copy: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        let renamed = try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE records SET state = CAST(replace(CAST(state AS TEXT), '"mainCompetitor":',
                        '"competitor":') AS BLOB) WHERE entity = 'opportunity'
                    """)
            try db.execute(sql: "UPDATE history SET field = 'competitor' WHERE field = 'mainCompetitor'")
            return db.changesCount
        }
        try queue.backup(to: try DatabaseQueue(path: copy))
        try queue.close()
        return renamed
    }

    /// The same rewrite as bytes: states replaced where still the ones read, history renamed per batch of records.
    func rawRewrite(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        let old = Data(#""competitor":"#.utf8)
        let new = Data(#""mainCompetitor":"#.utf8)
        var after = ""
        while true {
            let rows = try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT id, state FROM records WHERE entity = 'opportunity' AND id > ? ORDER BY id LIMIT ?",
                    arguments: [after, batchSize]
                ).map { (id: $0["id"] as String, state: $0["state"] as Data) }
            }
            guard let last = rows.last else { break }
            try queue.write { db in
                for row in rows {
                    guard let range = row.state.range(of: old) else { continue }
                    var rewritten = row.state
                    rewritten.replaceSubrange(range, with: new)
                    try db.execute(
                        sql: "UPDATE records SET state = ? WHERE id = ? AND state = ?",
                        arguments: [rewritten, row.id, row.state])
                }
                try db.execute(
                    sql: "UPDATE history SET field = 'mainCompetitor' WHERE record IN ("
                        + rows.map { _ in "?" }.joined(separator: ",") + ") AND field = 'competitor'",
                    arguments: StatementArguments(rows.map(\.id)))
            }
            after = last.id
        }
        try queue.close()
    }
}
