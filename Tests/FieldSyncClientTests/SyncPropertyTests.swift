import FieldSyncClient
import FieldSyncModel
import FieldSyncServer
import Foundation
import TestSupport
import Testing

/// Seeded random schedules of laptops editing shared records offline and syncing in random order over real HTTP,
/// with lost responses; at the end everyone converges on the server's state and nothing acknowledged is lost.
///
/// `FIELDSYNC_SYNC_SCHEDULES` raises the number of schedules (default 4); `FIELDSYNC_SYNC_SEED` replays one.
@Suite struct SyncPropertyTests {
    static let environment = ProcessInfo.processInfo.environment

    static var seeds: [UInt64] {
        if let seed = UInt64(environment["FIELDSYNC_SYNC_SEED"] ?? "") { return [seed] }
        return (1...(UInt64(environment["FIELDSYNC_SYNC_SCHEDULES"] ?? "") ?? 4)).map { $0 }
    }

    @Test(arguments: seeds)
    func laptopsConvergeAndLoseNothing(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let server = try await LiveServer.start()
        defer { server.stop() }
        let users = ["ana", "carl", "mia"]
        var laptops: [TestLaptop] = []
        for index in 0..<(3 + Int(random.next() % 3)) { laptops.append(try await server.laptop(users[index % 3])) }
        var hot: [RecordID] = []
        for index in 0..<4 { hot.append(try laptops[0].addCustomer("hot \(index)")) }
        try await laptops[0].sync()
        for laptop in laptops.dropFirst() { try await laptop.sync() }
        var acknowledged = 0
        for step in 0..<40 {
            let laptop = laptops[Int(random.next() % UInt64(laptops.count))]
            switch random.next() % 10 {
            case 0...5:
                guard let id = hot.randomElement(using: &random), try laptop.store.record(id) != nil else { continue }
                switch random.next() % 4 {
                case 0: try laptop.set(id, "phone", .text("0571-\(step)"))
                case 1: try laptop.set(id, "class", .text(["A", "B", "C", "D"][Int(random.next() % 4)]))
                case 2:
                    try laptop.store.edit(summary: "tag") {
                        try $0.add(id, "tags", ["vip", "key"][Int(random.next() % 2)])
                    }
                default: try laptop.store.edit(summary: "note") { try $0.note(id, "note \(seed)-\(step)") }
                }
            case 6:
                // The response is lost after the server committed: the laptop does not learn the result.
                let batch = try laptop.store.pendingBatch()
                if !batch.isEmpty {
                    _ = try await laptop.transport.push(PushRequest(mutations: batch), token: laptop.token)
                }
            default:
                acknowledged += try await laptop.sync().acknowledged
            }
        }
        for laptop in laptops { try await laptop.sync() }
        for laptop in laptops { try await laptop.sync() }
        let reference = try laptops[0].dump()
        for (index, laptop) in laptops.enumerated() {
            #expect(
                try laptop.dump() == reference,
                "seed \(seed): laptop \(index) diverged (replay: FIELDSYNC_SYNC_SEED=\(seed))")
            #expect(try laptop.store.status().pending == 0, "seed \(seed): laptop \(index) still has pending edits")
            #expect(try laptop.store.rejected().isEmpty, "seed \(seed): laptop \(index) had refusals")
        }
        // Nothing lost, nothing doubled: every note any laptop wrote is on the server exactly once.
        var notes: [String: Int] = [:]
        for id in hot {
            for entry in try await laptops[0].transport.history(of: id, token: laptops[0].token).entries
            where entry.op == "note" {
                notes[entry.newValue?.text ?? "", default: 0] += 1
            }
        }
        #expect(notes.values.allSatisfy { $0 == 1 }, "seed \(seed): a note was applied twice")
        let shown = Set(try hot.flatMap { try laptops[0].store.record($0)?.state.notes.map(\.text) ?? [] })
        #expect(shown == Set(notes.keys), "seed \(seed): a note was lost")
    }
}
