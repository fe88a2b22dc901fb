import FieldSyncModel
import FieldSyncServer
import Testing

/// The pull rules without a store: passes, what is read, page ends, removals, cursors.
@Suite struct PullPlannerTests {
    static func principal(_ role: Role, territories: [String], epoch: Int64 = 3) -> Principal {
        Principal(
            user: User(
                id: 1, name: "ana", role: role, team: "north", territories: territories, disabled: false,
                scopeEpoch: epoch),
            replica: ReplicaID(trusted: "lap-ana"), teamTerritories: [], tokenHash: "")
    }

    static func changed(_ seq: Int64, _ id: String, territory: String = "east", deleted: Bool = false)
        -> ChangedRecordRow
    {
        ChangedRecordRow(seq: seq, id: RecordID(trusted: id), territory: territory, deleted: deleted, state: [])
    }

    static func key(_ territories: String...) -> String { Visibility.key(of: Set(territories)) }

    @Test func aCursorOfAnotherEpochRestartsThePassWithoutDeletionsOrMoves() {
        let planner = PullPlanner(
            principal: Self.principal(.rep, territories: ["west", "east"]), cursor: Cursor(epoch: 2, seq: 40),
            limit: 10)
        #expect(planner.reset)
        #expect(planner.query == PullQuery(since: 0, territories: ["east", "west"], limit: 11))
        #expect(!planner.query.includesDeleted && !planner.query.includesMoves)
        let page = planner.page(PullRows(changeSeq: 50, generation: "g1", changed: [Self.changed(7, "c1")], moved: []))
        #expect(
            page.reset && !page.more
                && page.cursor == Cursor(epoch: 3, seq: 50, generation: "g1", view: Self.key("east", "west")))
    }

    @Test func aPageEndsAtItsLastItemAndARecordComesBeforeAMoveAtTheSameNumber() {
        let planner = PullPlanner(
            principal: Self.principal(.rep, territories: ["east"]), cursor: Cursor(epoch: 3, seq: 4), limit: 2)
        #expect(planner.query.includesDeleted && planner.query.includesMoves && !planner.reset)
        let page = planner.page(
            PullRows(
                changeSeq: 9, generation: "g1",
                changed: [Self.changed(6, "c2"), Self.changed(5, "c1", deleted: true)],
                moved: [
                    MovedRecordRow(seq: 6, record: RecordID(trusted: "c2"), territory: "east"),
                    MovedRecordRow(seq: 8, record: RecordID(trusted: "c3"), territory: "south"),
                ]))
        #expect(page.more && page.cursor == Cursor(epoch: 3, seq: 6, generation: "g1", view: Self.key("east")))
        #expect(page.records.map(\.id.rawValue) == ["c2"])
        #expect(page.removed.map(\.rawValue) == ["c1"])
    }

    @Test func aPageEndsAtItsByteBudgetButAlwaysCarriesOneRecord() {
        let planner = PullPlanner(
            principal: Self.principal(.rep, territories: ["east"]), cursor: Cursor(epoch: 3, seq: 4), limit: 100,
            maxBytes: 1_000)
        func big(_ seq: Int64, _ id: String, bytes: Int) -> ChangedRecordRow {
            ChangedRecordRow(
                seq: seq, id: RecordID(trusted: id), territory: "east", deleted: false,
                state: Array(repeating: 0x20, count: bytes))
        }
        let rows = PullRows(
            changeSeq: 9, generation: "g1", changed: [big(5, "c1", bytes: 600), big(6, "c2", bytes: 600)], moved: [])
        let first = planner.page(rows)
        #expect(first.records.map(\.id.rawValue) == ["c1"] && first.more && first.cursor.seq == 5)
        let oversized = planner.page(
            PullRows(changeSeq: 9, generation: "g1", changed: [big(5, "c1", bytes: 5_000)], moved: []))
        #expect(oversized.records.count == 1 && !oversized.more)
    }

    @Test func aMoveOutOfTheViewIsARemovalAndALastPageEndsAtTheLatestNumber() {
        let planner = PullPlanner(
            principal: Self.principal(.rep, territories: ["east"]), cursor: Cursor(epoch: 3, seq: 4), limit: 5)
        let page = planner.page(
            PullRows(
                changeSeq: 12, generation: "g1", changed: [],
                moved: [MovedRecordRow(seq: 8, record: RecordID(trusted: "c3"), territory: "south")]))
        #expect(!page.more && page.cursor == Cursor(epoch: 3, seq: 12, generation: "g1", view: Self.key("east")))
        #expect(page.removed.map(\.rawValue) == ["c3"] && page.records.isEmpty)
    }

    @Test func aCursorOfAnotherGenerationOrAheadOfTheServerRestartsThePass() {
        let principal = Self.principal(.rep, territories: ["east"])
        let rows = PullRows(changeSeq: 12, generation: "g2", changed: [], moved: [])
        // Issued before a restore: another generation, even below the server's change number.
        let restored = PullPlanner(principal: principal, cursor: Cursor(epoch: 3, seq: 4, generation: "g1"), limit: 5)
        #expect(!restored.reset && restored.mustRestart(after: rows))
        // From a server without generations, but ahead of this one's change number.
        let ahead = PullPlanner(principal: principal, cursor: Cursor(epoch: 3, seq: 40), limit: 5)
        #expect(ahead.mustRestart(after: rows))
        let current = PullPlanner(principal: principal, cursor: Cursor(epoch: 3, seq: 12, generation: "g2"), limit: 5)
        #expect(!current.mustRestart(after: rows))
        let restart = PullPlanner(principal: principal, cursor: Cursor(epoch: 3, seq: 40), limit: 5, restart: true)
        #expect(restart.reset && restart.query.since == 0 && !restart.mustRestart(after: rows))
        #expect(restart.page(rows).cursor == Cursor(epoch: 3, seq: 12, generation: "g2", view: Self.key("east")))
        #expect(Cursor(parsing: "3.12.g2") == Cursor(epoch: 3, seq: 12, generation: "g2"))
        #expect(Cursor(parsing: "3.12") == Cursor(epoch: 3, seq: 12) && Cursor(parsing: "3.12.") == nil)
        #expect(Cursor(parsing: "3.12.g-2") == nil && Cursor(parsing: "3.12.g2.X") == nil)
        #expect(Cursor(parsing: "") == .start && Cursor(parsing: "0") == .start)
        #expect(Cursor(parsing: "3.12.g2.v1") == Cursor(epoch: 3, seq: 12, generation: "g2", view: "v1"))
        let catchingUp = Cursor(epoch: 3, seq: 12, generation: "g2", view: "v2", catchUp: .init(base: 40, from: "v1"))
        #expect(Cursor(parsing: "3.12.g2.v2.40.v1") == catchingUp && catchingUp.description == "3.12.g2.v2.40.v1")
        for malformed in ["3.12.g2.v2.40", "3.12.g2.v2.x.v1", "3.12.g2.v2.40.v1.1", "3.12.g2.v2.40.", "3.12.g2..40.v1"]
        {
            #expect(Cursor(parsing: malformed) == nil, "\(malformed) is not a cursor the server issues")
        }
        for malformed in ["+3.12", "-0.0", " 3.12", "3.12 ", "3.1_2", "3.12.G2", "3.1234567890123456789", "٣.12"] {
            #expect(Cursor(parsing: malformed) == nil, "\(malformed) is not a cursor the server issues")
        }
    }

    @Test func anAdminReadsEveryTerritoryAndAManagerTheirTeams() {
        let admin = PullPlanner(
            principal: Self.principal(.admin, territories: []), cursor: Cursor(epoch: 3, seq: 4), limit: 5)
        #expect(admin.query.territories == nil && !admin.query.includesMoves)
        let manager = Principal(
            user: User(
                id: 2, name: "mia", role: .manager, team: "north", territories: ["hq"], disabled: false, scopeEpoch: 1),
            replica: ReplicaID(trusted: "lap-mia"), teamTerritories: ["east", "west"], tokenHash: "")
        #expect(manager.visibleTerritories == ["east", "west", "hq"])
        #expect(Self.principal(.rep, territories: ["east"]).visibleTerritories == ["east"])
    }

    @Test func aChangedViewCatchesUpWithTheChangeInOneStreamAndEndsOnAnOrdinaryCursor() {
        let principal = Self.principal(.rep, territories: ["east", "south"])
        let old = Cursor(epoch: 2, seq: 40, generation: "g1", view: Self.key("east", "west"))
        #expect(PullPlanner.earlierView(of: principal, at: old) == Self.key("east", "west"))
        let planner = PullPlanner(principal: principal, cursor: old, limit: 2, earlier: ["east", "west"])
        #expect(!planner.reset)
        #expect(
            planner.query
                == PullQuery(
                    since: 0, territories: ["east", "south"], limit: 3,
                    catchUp: .init(base: 40, added: ["south"], removed: ["west"])))
        #expect(planner.query.includesDeleted && planner.query.includesMoves && planner.query.movesSince == 40)
        #expect(planner.query.moveTerritories == ["east", "south", "west"])
        // A store marks records now in a territory taken away as deleted: they come as removals.
        let rows = PullRows(
            changeSeq: 50, generation: "g1",
            changed: [
                Self.changed(5, "s1", territory: "south"), Self.changed(7, "w1", territory: "west", deleted: true),
                Self.changed(45, "e1"),
            ],
            moved: [MovedRecordRow(seq: 46, record: RecordID(trusted: "w2"), territory: "north")])
        let first = planner.page(rows)
        #expect(!first.reset && first.more && first.records.map(\.id.rawValue) == ["s1"])
        #expect(first.removed.map(\.rawValue) == ["w1"])
        let next = Cursor(
            epoch: 3, seq: 7, generation: "g1", view: Self.key("east", "south"),
            catchUp: .init(base: 40, from: Self.key("east", "west")))
        #expect(first.cursor == next)

        // The next page goes on from where the pass stands, with the same catch-up, to an ordinary cursor.
        #expect(PullPlanner.earlierView(of: principal, at: next) == Self.key("east", "west"))
        let going = PullPlanner(principal: principal, cursor: next, limit: 5, earlier: ["east", "west"])
        #expect(!going.reset && going.query.since == 7 && going.query.catchUp == planner.query.catchUp)
        let last = going.page(
            PullRows(
                changeSeq: 50, generation: "g1", changed: [Self.changed(45, "e1")],
                moved: [MovedRecordRow(seq: 46, record: RecordID(trusted: "w2"), territory: "north")]))
        #expect(!last.more && last.records.map(\.id.rawValue) == ["e1"] && last.removed.map(\.rawValue) == ["w2"])
        #expect(last.cursor == Cursor(epoch: 3, seq: 50, generation: "g1", view: Self.key("east", "south")))
        #expect(PullPlanner.earlierView(of: principal, at: last.cursor) == nil)
    }

    @Test func aViewTheServerCannotTellStartsThePassAgain() {
        let principal = Self.principal(.rep, territories: ["east", "south"])
        let old = Cursor(epoch: 2, seq: 40, generation: "g1", view: Self.key("east"))
        // The old view is not kept (a cursor from before views were kept, or lost with a restore).
        #expect(PullPlanner(principal: principal, cursor: old, limit: 5).reset)
        // The view changed again while a catch-up was under way.
        let catching = Cursor(
            epoch: 2, seq: 9, generation: "g1", view: Self.key("east", "west"), catchUp: .init(base: 4, from: "v0"))
        #expect(PullPlanner.earlierView(of: principal, at: catching) == nil)
        #expect(PullPlanner(principal: principal, cursor: catching, limit: 5, earlier: ["east"]).reset)
        // An admin's cursor (every territory, no key) and a cursor of an older server follow the epoch.
        #expect(PullPlanner(principal: principal, cursor: Cursor(epoch: 2, seq: 40, generation: "g1"), limit: 5).reset)
        #expect(!PullPlanner(principal: principal, cursor: Cursor(epoch: 3, seq: 40), limit: 5).reset)
        let admin = Self.principal(.admin, territories: [])
        #expect(PullPlanner(principal: admin, cursor: old, limit: 5, earlier: ["east"]).reset)
        // The same territories under a new epoch (a role change that shows the same view) page on.
        let same = PullPlanner(
            principal: principal, cursor: Cursor(epoch: 1, seq: 40, generation: "g1", view: Self.key("east", "south")),
            limit: 5)
        #expect(!same.reset && same.query.since == 40 && same.query.catchUp == nil)
        // A catch-up whose old cursor is ahead of the server (restored) starts over.
        let ahead = PullPlanner(principal: principal, cursor: old, limit: 5, earlier: ["east"])
        #expect(ahead.mustRestart(after: PullRows(changeSeq: 30, generation: "g1", changed: [], moved: [])))
    }
}
