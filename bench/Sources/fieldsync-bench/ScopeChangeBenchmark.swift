import FieldSyncModel
import Foundation

/// B13: a territory change costs the change. A rep's laptop holds `held` cards of territory east; an admin adds
/// territory west (`added` cards) and the rep runs `fieldsync sync`; then east is taken away and the rep syncs again.
/// Each sync is the whole `fieldsync` process. The baselines, measured in the same run: a fresh laptop of a rep who
/// has only west (a bootstrap of just the records added), and a fresh laptop of a rep with both territories (the
/// pass from the beginning a territory change used to cost).
struct ScopeChangeBenchmark {
    let held: Int
    let added: Int

    /// The seconds each sync took.
    struct Result {
        var addSeconds = 0.0
        var removeSeconds = 0.0
        var justAddedSeconds = 0.0
        var everythingSeconds = 0.0
        /// The fresh laptop of both territories' peak memory: a bootstrap of `held + added` records.
        var everythingPeakMB = 0.0
    }

    func run() async throws -> Result {
        let server = try await BenchServer.start()
        defer { server.remove() }
        let root = try await server.login("root", territories: [], role: .admin, replica: "lap-root")
        var seeder = BenchLaptop("lap-root", user: "root")
        try await server.pushCustomers(held, from: &seeder, token: root, territory: "east", prefix: "e")
        try await server.pushCustomers(added, from: &seeder, token: root, territory: "west", prefix: "w")
        for (user, territories) in [("ana", ["east"]), ("wes", ["west"]), ("eve", ["east", "west"])] {
            _ = try await server.login(user, territories: territories, replica: "lap-setup-\(user)")
        }
        let folder = { (name: String) in server.directory.appendingPathComponent(name).path }
        for (name, user) in [("ana", "ana"), ("wes", "wes"), ("eve", "eve")] {
            try FieldSyncProcess.login(folder(name), user: user, server)
        }
        _ = try FieldSyncProcess.timed(folder("ana"), ["sync"], expect: "pulled \(held),")

        var result = Result()
        try await server.store.setTerritories(of: "ana", to: ["east", "west"])
        result.addSeconds =
            try FieldSyncProcess.timed(folder("ana"), ["sync"], expect: "pulled \(added), new conflicts 0, removed 0")
            .seconds
        try await server.store.setTerritories(of: "ana", to: ["west"])
        result.removeSeconds =
            try FieldSyncProcess.timed(folder("ana"), ["sync"], expect: "pulled 0, new conflicts 0, removed \(held)")
            .seconds
        result.justAddedSeconds =
            try FieldSyncProcess.timed(folder("wes"), ["sync"], expect: "pulled \(added),").seconds
        let everything = try FieldSyncProcess.timed(folder("eve"), ["sync"], expect: "pulled \(held + added),")
        result.everythingSeconds = everything.seconds
        result.everythingPeakMB = everything.peakMB
        return result
    }
}
