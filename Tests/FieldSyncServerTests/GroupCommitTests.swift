import FieldSyncModel
import Foundation
import GRDB
import Synchronization
import Testing

@testable import FieldSyncServer

/// Pushes that arrive while another commits share one SQLite transaction (`GroupCommit`), each in its own savepoint.
@Suite struct GroupCommitTests {
    /// Waits (up to 10 s) until `condition` holds.
    func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<1_000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        try #require(condition(), "timed out waiting until \(what)")
    }

    @Test func aPushThatFailsInAGroupIsRolledBackAloneAndTheOthersCommitExactlyOnce() async throws {
        let server = try await TestServer.make(.sqlite)
        let store = try #require(server.store as? SQLiteStore)
        // A write the disk refuses, for bo's pushes only, after the push has written its record.
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_bo BEFORE INSERT ON history WHEN NEW.replica = 'lap-bo'
                    BEGIN SELECT RAISE(ABORT, 'disk trouble'); END
                    """)
        }
        try await server.run { client in
            let (ana, carl, bo) = (
                try await client.login("ana"), try await client.login("carl"),
                try await client.login("bo")
            )
            var anaLaptop = Laptop("lap-ana", wall: client.clock)
            var carlLaptop = Laptop("lap-carl", wall: client.clock)
            var boLaptop = Laptop("lap-bo", wall: client.clock)
            let c0 = anaLaptop.createCustomer("c0", territory: "east")
            let c1 = carlLaptop.createCustomer("c1", territory: "east")
            let c1Edit = carlLaptop.mutation([set("c1", "class", .text("A"))])
            let w1 = boLaptop.createCustomer("w1", territory: "west")
            let c0Edit = anaLaptop.mutation([set("c0", "class", .text("B"))])

            // The writer is held, so the first push's group waits for it and the next four queue behind it.
            let held = Mutex(false)
            let gate = DispatchSemaphore(value: 0)
            let blocker = Task {
                try await store.pool.write { _ in
                    held.withLock { $0 = true }
                    gate.wait()
                }
            }
            try await eventually("the writer is held") { held.withLock { $0 } }
            let before = store.groupCommit.counts
            let pushes: [(token: String, mutation: Mutation)] = [
                (ana, c0), (carl, c1), (carl, c1Edit), (bo, w1), (ana, c0Edit),
            ]
            var replies: [Task<Client.Reply, any Error>] = []
            for (index, push) in pushes.enumerated() {
                replies.append(
                    Task {
                        try await client.send(
                            .post, "/v1/push", token: push.token, json: PushRequest(mutations: [push.mutation]))
                    })
                if index == 0 {
                    try await eventually("the first group is taken") {
                        store.groupCommit.counts.groups == before.groups + 1
                    }
                } else {
                    try await eventually("push \(index) waits") { store.groupCommit.counts.waiting == index }
                }
            }
            gate.signal()
            try await blocker.value
            var statuses: [Int] = []
            for reply in replies { statuses.append(Int(try await reply.value.status.code)) }
            #expect(statuses == [200, 200, 200, 500, 200])
            let after = store.groupCommit.counts
            #expect(after.groups == before.groups + 2, "the four that waited commit as one group")
            #expect(after.pushes == before.pushes + 5)

            // Four changes numbered 1–4 with no gap; nothing of bo's push; each write in the history once.
            #expect(try await server.changeSeq() == 4)
            let stored = try await store.pool.read { db in
                (
                    versions: try Int64.fetchAll(db, sql: "SELECT version FROM records ORDER BY version"),
                    ids: try String.fetchAll(db, sql: "SELECT id FROM records ORDER BY id"),
                    historySeqs: try Int64.fetchAll(db, sql: "SELECT DISTINCT seq FROM history ORDER BY seq"),
                    historyRows: try Int.fetchOne(db, sql: "SELECT count(*) FROM history"),
                    boRows: try Int.fetchOne(db, sql: "SELECT count(*) FROM history WHERE replica = 'lap-bo'"),
                    boSeq: try Int64.fetchOne(db, sql: "SELECT last_seq FROM replicas WHERE id = 'lap-bo'")
                )
            }
            #expect(stored.versions == [3, 4])
            #expect(stored.ids == ["c0", "c1"])
            #expect(stored.historySeqs == [1, 2, 3, 4])
            #expect(stored.historyRows == 8)
            #expect(stored.boRows == 0)
            #expect(stored.boSeq == 0, "bo's replica still waits for seq 1")
            let carlView = try await client.pullAll(carl)
            #expect(carlView.records[RecordID(trusted: "c1")]?.state.value("class") == .text("A"))

            // The disk recovers: bo's push applies; every push again is a duplicate and changes nothing.
            try await store.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_bo") }
            #expect(try await client.push(bo, [w1]).map(\.status) == [.applied])
            #expect(try await server.changeSeq() == 5)
            for (token, mutation) in pushes {
                #expect(try await client.push(token, [mutation]).map(\.status) == [.duplicate])
            }
            #expect(try await server.changeSeq() == 5)
        }
    }

    @Test func aStateAnEarlierPushOfTheGroupWroteIsReadFromTheGroupAndNotCached() async throws {
        let server = try await TestServer.make(.sqlite)
        let store = try #require(server.store as? SQLiteStore)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            #expect(
                try await client.push(token, [laptop.createCustomer("c1", territory: "east")])[0].status == .applied)
            let c1 = RecordID(trusted: "c1")
            store.cache.removeAll()
            func read(_ group: GroupCommit.SoFar) async throws -> (name: Value?, cached: Bool) {
                try await store.pool.read { db in
                    let record = try SQLitePushSource(db: db, cache: store.cache, group: group).record(c1)
                    return (record?.state.value("name"), store.cache.state(of: c1, version: 1) != nil)
                }
            }
            let committed = try await read(GroupCommit.SoFar(committedThrough: 1))
            #expect(committed.name == .text("客户"))
            #expect(committed.cached, "a committed row's state is kept")
            store.cache.removeAll()

            // As if an earlier push of the group wrote version 1 (the group holds a state the row does not).
            var other = RecordState()
            other.apply(
                .set(record: c1, field: "name", value: .text("from the group"), bases: []),
                id: WriteID(replica: ReplicaID(trusted: "lap-x"), seq: 1, index: 0),
                hlc: HLCTimestamp(wallMs: 1, counter: 0, replica: ReplicaID(trusted: "lap-x")), author: "x")
            let grouped = try await read(GroupCommit.SoFar(committedThrough: 0, written: [c1: (1, other)]))
            #expect(grouped.name == .text("from the group"), "the group's state is read, not the row decoded")
            #expect(!grouped.cached, "a row of the group may still roll back")
            // A state the group holds at another version (a push rolled back, its number handed out again) is not it.
            let stale = try await read(GroupCommit.SoFar(committedThrough: 0, written: [c1: (2, other)]))
            #expect(stale.name == .text("客户"))
            #expect(!stale.cached)
        }
    }
}
