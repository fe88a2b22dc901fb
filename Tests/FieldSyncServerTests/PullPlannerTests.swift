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

    @Test func aCursorOfAnotherEpochRestartsThePassWithoutDeletionsOrMoves() {
        let planner = PullPlanner(
            principal: Self.principal(.rep, territories: ["west", "east"]), cursor: Cursor(epoch: 2, seq: 40),
            limit: 10)
        #expect(planner.reset)
        #expect(planner.query == PullQuery(since: 0, territories: ["east", "west"], limit: 11))
        #expect(!planner.query.includesDeleted && !planner.query.includesMoves)
        let page = planner.page(PullRows(changeSeq: 50, changed: [Self.changed(7, "c1")], moved: []))
        #expect(page.reset && !page.more && page.cursor == Cursor(epoch: 3, seq: 50))
    }

    @Test func aPageEndsAtItsLastItemAndARecordComesBeforeAMoveAtTheSameNumber() {
        let planner = PullPlanner(
            principal: Self.principal(.rep, territories: ["east"]), cursor: Cursor(epoch: 3, seq: 4), limit: 2)
        #expect(planner.query.includesDeleted && planner.query.includesMoves && !planner.reset)
        let page = planner.page(
            PullRows(
                changeSeq: 9,
                changed: [Self.changed(6, "c2"), Self.changed(5, "c1", deleted: true)],
                moved: [
                    MovedRecordRow(seq: 6, record: RecordID(trusted: "c2"), territory: "east"),
                    MovedRecordRow(seq: 8, record: RecordID(trusted: "c3"), territory: "south"),
                ]))
        #expect(page.more && page.cursor == Cursor(epoch: 3, seq: 6))
        #expect(page.records.map(\.id.rawValue) == ["c2"])
        #expect(page.removed.map(\.rawValue) == ["c1"])
    }

    @Test func aMoveOutOfTheViewIsARemovalAndALastPageEndsAtTheLatestNumber() {
        let planner = PullPlanner(
            principal: Self.principal(.rep, territories: ["east"]), cursor: Cursor(epoch: 3, seq: 4), limit: 5)
        let page = planner.page(
            PullRows(
                changeSeq: 12, changed: [],
                moved: [MovedRecordRow(seq: 8, record: RecordID(trusted: "c3"), territory: "south")]))
        #expect(!page.more && page.cursor == Cursor(epoch: 3, seq: 12))
        #expect(page.removed.map(\.rawValue) == ["c3"] && page.records.isEmpty)
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
}
