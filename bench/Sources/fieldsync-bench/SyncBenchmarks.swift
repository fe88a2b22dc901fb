import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import GRDB
import TestSupport

/// B1 (rep day) and the push of 10,000 writes, over loopback HTTP into the SQLite store.
struct PushBenchmark {
    /// B1: 10 reps × 200 changes (20% on shared hot records); each rep pushes its day in one request.
    func repDay() async throws -> (p95Ms: Double, medianMs: Double, bytesPerChange: Double) {
        let server = try await BenchServer.start()
        defer { server.remove() }
        let seedToken = try await server.login("seed", territories: ["east"], replica: "seed")
        var seeder = BenchLaptop("seed", user: "seed")
        _ = try await server.push(
            (0..<200).map { seeder.customer("c\($0)", territory: "east", index: $0) }, token: seedToken)
        var latencies: [Double] = []
        var bytes = 0
        var generator = SeededGenerator(seed: 1)
        for repIndex in 0..<10 {
            let token = try await server.login("rep\(repIndex)", territories: ["east"], replica: "rep-\(repIndex)")
            var laptop = BenchLaptop("rep-\(repIndex)")
            let mutations = (0..<200).map { change -> Mutation in
                let hot = generator.next() % 5 == 0
                let customer = hot ? Int(generator.next() % 10) : 10 + Int(generator.next() % 190)
                let field = ["phone", "email", "address", "region"][Int(generator.next() % 4)]
                return laptop.mutation([
                    .set(
                        record: RecordID(trusted: "c\(customer)"), field: field,
                        value: .text(Self.text(of: field, "\(repIndex)-\(change)")), bases: [])
                ])
            }
            var size = 0
            latencies.append(try await Stopwatch.time { size = try await server.push(mutations, token: token) })
            bytes += size
        }
        return (Stopwatch.percentile(latencies, 95) * 1000, Stopwatch.median(latencies) * 1000, Double(bytes) / 2000)
    }

    /// A value of the shape `field` takes (phones and e-mails are checked), made distinct by `suffix`.
    static func text(of field: String, _ suffix: String) -> String {
        switch field {
        case "phone": "0571-\(suffix)"
        case "email": "buyer-\(suffix)@example.cn"
        default: "\(field) \(suffix)"
        }
    }

    /// 10,000 writes (1,000 customers edited 10 times) pushed in 20 requests of 500 mutations; merged and committed.
    func tenThousandWrites() async throws -> (seconds: Double, writesPerSecond: Double) {
        let server = try await BenchServer.start()
        defer { server.remove() }
        let token = try await server.login("ana", territories: ["east"], replica: "lap-ana")
        var laptop = BenchLaptop("lap-ana")
        for batch in 0..<2 {
            _ = try await server.push(
                (0..<500).map { laptop.customer("c\(batch * 500 + $0)", territory: "east", index: batch * 500 + $0) },
                token: token)
        }
        var heads: [Int: WriteID] = [:]
        var batches: [[Mutation]] = []
        for round in 0..<20 {
            batches.append(
                (0..<500).map { offset in
                    let customer = (round * 500 + offset) % 1000
                    let mutation = laptop.mutation([
                        .set(
                            record: RecordID(trusted: "c\(customer)"), field: "phone",
                            value: .text("0571-\(round)-\(offset)"),
                            bases: heads[customer].map { [$0] } ?? [])
                    ])
                    heads[customer] = mutation.writeID(0)
                    return mutation
                })
        }
        let seconds = try await Stopwatch.time {
            for batch in batches { _ = try await server.push(batch, token: token) }
        }
        return (seconds, 10_000 / seconds)
    }
}

/// B2: a fresh laptop pulls N customer cards from cursor 0 over loopback HTTP, speaking schema version
/// `schemaVersion` (an older one is served each record read and written again as that version sees it).
struct BootstrapBenchmark {
    let records: Int
    var schemaVersion = Schema.fieldSync.version

    func run(reps: Int) async throws -> (medianSeconds: Double, bytes: Int, serverBytesPerField: Double, pages: Int) {
        let server = try await BenchServer.start()
        defer { server.remove() }
        let token = try await server.login("ana", territories: ["east"], replica: "lap-seed")
        var laptop = BenchLaptop("lap-seed")
        try await server.pushCustomers(records, from: &laptop, token: token)
        var times: [Double] = []
        var bytes = 0
        var pages = 0
        for rep in 0..<reps {
            let laptopDirectory = server.directory.appendingPathComponent("laptop-\(rep)").path
            let store = try LocalStore(directory: laptopDirectory, schema: Schema.fieldSync(version: schemaVersion)!)
            let token = try await server.login("reader", territories: ["east"], replica: try store.replica.rawValue)
            var transport = try HTTPTransport(server: server.base.absoluteString)
            transport.schemaVersion = schemaVersion
            let engine = SyncEngine(store: store, transport: transport, token: token)
            var summary = SyncSummary()
            pages = 0
            times.append(try await Stopwatch.time { summary = try await engine.sync { _ in pages += 1 } })
            bytes = summary.bytesDown
            guard summary.pulled == records, try store.status().records == records else {
                throw BenchFailure("bootstrap stored \(try store.status().records) of \(records) records")
            }
            try? FileManager.default.removeItem(atPath: laptopDirectory)
        }
        let perField = Double(server.databaseBytes()) / Double(records * 8)
        return (Stopwatch.median(times), bytes, perField, pages)
    }
}

/// B8: a local edit (view row and pending mutation in one transaction) against a plain one-row update.
struct LocalEditBenchmark {
    func run(edits: Int) throws -> (p95Ms: Double, medianMs: Double, plainP95Ms: Double) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-edit-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try LocalStore(directory: directory)
        var ids: [RecordID] = []
        for index in 0..<100 {
            try store.edit(summary: "seed") { builder in
                let id = try builder.create(.customer)
                ids.append(id)
                try builder.set(id, "name", .text("客户 \(index)"))
                try builder.set(id, "territory", .text("east"))
            }
        }
        var latencies: [Double] = []
        for index in 0..<edits {
            let id = ids[index % ids.count]
            latencies.append(
                try Stopwatch.time {
                    try store.edit(summary: "phone") { try $0.set(id, "phone", .text("0571-\(index)")) }
                })
        }
        // The same settings as the laptop store: WAL with synchronous=NORMAL (no fsync per commit).
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        }
        let plain = try DatabaseQueue(
            path: (directory as NSString).appendingPathComponent("plain.sqlite"), configuration: configuration)
        try plain.write { db in
            try db.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, phone TEXT)")
            for index in 0..<100 { try db.execute(sql: "INSERT INTO t VALUES (?, '')", arguments: [index]) }
        }
        var plainLatencies: [Double] = []
        for index in 0..<edits {
            plainLatencies.append(
                try Stopwatch.time {
                    try plain.write {
                        try $0.execute(
                            sql: "UPDATE t SET phone = ? WHERE id = ?", arguments: ["0571-\(index)", index % 100])
                    }
                })
        }
        return (
            Stopwatch.percentile(latencies, 95) * 1000, Stopwatch.median(latencies) * 1000,
            Stopwatch.percentile(plainLatencies, 95) * 1000
        )
    }
}

/// B3: a laptop that is up to date pulls the 100 changes a colleague just pushed, on a server holding N records.
struct IncrementalBenchmark {
    let records: Int

    func run(reps: Int) async throws -> (
        medianMs: Double, p95Ms: Double, pullBytesPerChange: Double,
        pushBytesPerChange: Double
    ) {
        let server = try await BenchServer.start()
        defer { server.remove() }
        let token = try await server.login("ana", territories: ["east"], replica: "lap-writer")
        var writer = BenchLaptop("lap-writer")
        try await server.pushCustomers(records, from: &writer, token: token)
        let store = try LocalStore(directory: server.directory.appendingPathComponent("reader").path)
        let readerToken = try await server.login("reader", territories: ["east"], replica: try store.replica.rawValue)
        let engine = SyncEngine(
            store: store, transport: try HTTPTransport(server: server.base.absoluteString), token: readerToken)
        _ = try await engine.sync()
        var random = SeededGenerator(seed: 3_000)
        var times: [Double] = []
        var pullBytes: [Double] = []
        var pushBytes: [Double] = []
        for rep in 0..<max(reps, 5) {
            // 100 changes to random cards, one field each, in one push: what a colleague's sync brings.
            let mutations = (0..<100).map { change in
                writer.mutation([
                    .set(
                        record: RecordID(trusted: "c\(Int.random(in: 0..<records, using: &random))"), field: "phone",
                        value: .text("0571-\(rep)-\(change)"), bases: [])
                ])
            }
            pushBytes.append(Double(try await server.push(mutations, token: token)) / 100)
            var summary = SyncSummary()
            times.append(try await Stopwatch.time { summary = try await engine.sync() })
            guard summary.pulled >= 90 && summary.pulled <= 100 else {
                throw BenchFailure("the incremental sync pulled \(summary.pulled) records for 100 changes")
            }
            pullBytes.append(Double(summary.bytesDown) / Double(summary.pulled))
        }
        return (
            Stopwatch.median(times) * 1000, Stopwatch.percentile(times, 95) * 1000, Stopwatch.median(pullBytes),
            Stopwatch.median(pushBytes)
        )
    }
}
