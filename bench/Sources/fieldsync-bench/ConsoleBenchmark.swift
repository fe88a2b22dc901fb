import AsyncHTTPClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import NIOCore

/// B11: the manager's console on a server holding 100,000 records: each page's time over loopback HTTP (an upper
/// bound on its server time), the first load after login (the user's view is built) and then warm.
struct ConsoleBenchmark {
    let records: Int

    /// One page's figures: the first load, then the median and p95 of `reps` loads, in milliseconds; the page size.
    struct Page {
        let name: String
        let firstMs: Double
        let medianMs: Double
        let p95Ms: Double
        /// Median and p95 of loads each right after a rep's one-field edit (the page is computed afresh).
        let changedMedianMs: Double
        let changedP95Ms: Double
        let bytes: Int
    }

    /// Seeds a fifth of `records` each as customers, contacts, opportunities, visits and complaints (by reps ana and
    /// bo), then loads every page once and `reps` times more as their manager mei.
    func run(reps: Int) async throws -> (pages: [Page], seedSeconds: Double, healthzMs: Double) {
        let server = try await BenchServer.start()
        defer { server.remove() }
        let token = try await server.login("ana", territories: ["east"], replica: "lap-seed")
        let boToken = try await server.login("bo", territories: ["east"], replica: "lap-bo")
        _ = try await server.login("mei", territories: ["east"], role: .manager, replica: "lap-mei")
        var laptop = BenchLaptop("lap-seed")
        var boLaptop = BenchLaptop("lap-bo", user: "bo")
        let seedSeconds = try await Stopwatch.time {
            try await server.pushCustomers(records / 5, from: &laptop, token: token)
            // A third of the deals, visits and complaints are bo's, so the forecast has two reps.
            try await seed(server, &laptop, token: token, of: 0..<records / 5) { $0 % 3 != 0 }
            try await seed(server, &boLaptop, token: boToken, of: 0..<records / 5) { $0 % 3 == 0 }
        }
        let cookie = try await login(server)
        let paths: [(String, String)] = [
            ("pipeline", "pipeline"), ("team", "team"), ("customers", "customers"),
            ("customers?q=", "customers?q=%E5%AE%A2%E6%88%B7%2012345"), ("customer card", "customers/c12345"),
            ("conflicts", "conflicts"), ("complaints", "complaints"), ("duplicates", "duplicates"),
        ]
        var pages: [Page] = []
        var edits = 0
        for (name, path) in paths {
            var bytes = 0
            let first = try await Stopwatch.time { bytes = try await get(server, path, cookie: cookie) }
            var times: [Double] = []
            for _ in 0..<reps {
                times.append(try await Stopwatch.time { _ = try await get(server, path, cookie: cookie) })
            }
            var changed: [Double] = []
            for rep in 0..<reps {
                edits += 1
                let record = RecordID(trusted: "c\(edits * 7)")
                let edit = laptop.mutation([
                    .set(record: record, field: "remarks", value: .text("拜访 \(rep)"), bases: [])
                ])
                _ = try await server.push([edit], token: token)
                changed.append(try await Stopwatch.time { _ = try await get(server, path, cookie: cookie) })
            }
            pages.append(
                Page(
                    name: name, firstMs: first * 1000, medianMs: Stopwatch.median(times) * 1000,
                    p95Ms: Self.p95(times) * 1000, changedMedianMs: Stopwatch.median(changed) * 1000,
                    changedP95Ms: Self.p95(changed) * 1000, bytes: bytes))
        }
        var healthz: [Double] = []
        for _ in 0..<reps {
            healthz.append(try await Stopwatch.time { _ = try await server.send("healthz") })
        }
        return (pages, seedSeconds, Stopwatch.median(healthz) * 1000)
    }

    private static func p95(_ times: [Double]) -> Double {
        let sorted = times.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
    }

    /// Pushes a contact, an opportunity, a visit and a complaint under each customer `c<i>` of `indexes` that
    /// `mine` picks, from `laptop`, 200 customers' worth per push.
    private func seed(
        _ server: BenchServer, _ laptop: inout BenchLaptop, token: String, of indexes: Range<Int>,
        _ mine: (Int) -> Bool
    ) async throws {
        let stages = OpportunityStage.all.map(\.name)
        let steps = ComplaintStep.names
        let user = laptop.user
        let picked = indexes.filter(mine)
        var index = 0
        while index < picked.count {
            let batch = picked[index..<min(index + 200, picked.count)]
            let mutations = batch.map { i -> Mutation in
                let customer = Value.text("c\(i)")
                let day = String(format: "2026-%02d-%02d", 1 + i % 12, 1 + i % 28)
                return laptop.mutation(
                    Self.record("k\(i)", .contact, ["customer": customer, "name": .text("联系人 \(i)")])
                        + Self.record(
                            "o\(i)", .opportunity,
                            [
                                "customer": customer, "title": .text("机床 \(i)"),
                                "stage": .text(stages[i % stages.count]),
                                "amount": .money(
                                    Money(minor: Int64(100_000 + i * 100), currency: i % 7 == 0 ? "USD" : "CNY")),
                                "closeDate": .text(day), "owner": .text(user),
                            ])
                        + Self.record(
                            "v\(i)", .visit,
                            [
                                "customer": customer, "plannedAt": .text("\(day)T09:00:00Z"), "rep": .text(user),
                                "status": .text(i % 2 == 0 ? "completed" : "planned"),
                            ])
                        + Self.record(
                            "p\(i)", .complaint,
                            [
                                "customer": customer, "category": .text("quality"),
                                "step": .text(steps[i % steps.count]), "dueDate": .text(day),
                            ]))
            }
            _ = try await server.push(mutations, token: token)
            index += batch.count
        }
    }

    private static func record(_ id: String, _ entity: EntityKind, _ fields: [String: Value]) -> [Write] {
        let record = RecordID(trusted: id)
        return [.create(record: record, entity: entity)]
            + fields.sorted { $0.key < $1.key }.map { .set(record: record, field: $0.key, value: $0.value, bases: []) }
    }

    /// Logs in through the console's form as manager mei; returns the session cookie.
    private func login(_ server: BenchServer) async throws -> String {
        var request = HTTPClientRequest(url: server.base.absoluteString + "/console/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "user=mei&password=bench-password"))
        // The login answers 303; a client that followed it would land on a page without the cookie.
        let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        let response = try await client.execute(request, timeout: .seconds(60))
        guard response.status.code == 303,
            let cookie = response.headers["Set-Cookie"].first?.split(separator: ";").first
        else { throw BenchFailure("console login answered \(response.status)") }
        return String(cookie)
    }

    /// Loads one console page; returns its size, failing unless it answered 200.
    private func get(_ server: BenchServer, _ path: String, cookie: String) async throws -> Int {
        var request = HTTPClientRequest(url: server.base.absoluteString + "/console/" + path)
        request.headers.add(name: "Cookie", value: cookie)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 256 << 20)
        guard response.status.code == 200 else {
            throw BenchFailure("/console/\(path) answered \(response.status): \(String(buffer: body).prefix(300))")
        }
        return body.readableBytes
    }
}
