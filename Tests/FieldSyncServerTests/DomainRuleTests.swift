import FieldSyncModel
import Foundation
import Testing

@testable import FieldSyncServer

/// Rules that belong to the sales domain, enforced by the server against what it holds: a complaint's workflow and a
/// visit's status move only forward (a manager reopens), e-mails and phones have their shape, and a visit's rep is a
/// user who works the customer's territory.
@Suite struct DomainRuleTests {
    @Test(arguments: Backend.allCases) func workflowsMoveOnlyForwardUnlessAManagerReopens(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var (ana, laptop) = try await client.laptop("ana")
            let complaint = RecordID(trusted: "k1")
            let visit = RecordID(trusted: "v1")
            let made = try await client.push(
                ana,
                [
                    laptop.createCustomer("c1", territory: "east"),
                    laptop.mutation([
                        .create(record: complaint, entity: .complaint), set("k1", "customer", .text("c1")),
                        set("k1", "category", .text("quality")), set("k1", "step", .text("evaluated")),
                        .create(record: visit, entity: .visit), set("v1", "customer", .text("c1")),
                        set("v1", "plannedAt", .text("2026-12-08T01:00:00Z")), set("v1", "status", .text("completed")),
                    ]),
                ])
            #expect(made.map(\.status) == [.applied, .applied], "\(made)")
            let back = try await client.push(
                ana,
                [
                    laptop.mutation([set("k1", "step", .text("rejected"))]),
                    laptop.mutation([set("v1", "status", .text("cancelled"))]),
                    laptop.mutation([set("k1", "satisfaction", .text("satisfied"))]),
                ])
            #expect(back.map(\.status) == [.rejected, .rejected, .applied], "\(back)")
            #expect(back[0].code == .valueNotAllowed && back[0].reason?.contains("moves only forward") == true)
            #expect(back[1].reason?.contains("visit.status is completed") == true, "\(back[1])")

            var (mia, managerLaptop) = try await client.laptop("mia")
            let reopened = try await client.push(mia, [managerLaptop.mutation([set("k1", "step", .text("assigned"))])])
            #expect(reopened.map(\.status) == [.applied], "a manager reopens: \(reopened)")
        }
    }

    @Test(arguments: Backend.allCases) func emailsAndPhonesHaveTheirShapeAndAVisitsRepWorksTheTerritory(
        _ backend: Backend
    ) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var (ana, laptop) = try await client.laptop("ana")
            _ = try await client.push(ana, [laptop.createCustomer("c1", territory: "east")])
            let answers = try await client.push(
                ana,
                [
                    laptop.mutation([set("c1", "email", .text("notanemail"))]),
                    laptop.mutation([set("c1", "phone", .text("call me"))]),
                    laptop.mutation([
                        set("c1", "email", .text("li@xihu.cn")), set("c1", "phone", .text("０５７１-8888 转 12")),
                    ]),
                    laptop.mutation([
                        .create(record: RecordID(trusted: "v1"), entity: .visit), set("v1", "customer", .text("c1")),
                        set("v1", "plannedAt", .text("2026-12-08T01:00:00Z")), set("v1", "rep", .text("nobodyatall")),
                    ]),
                    laptop.mutation([
                        .create(record: RecordID(trusted: "v2"), entity: .visit), set("v2", "customer", .text("c1")),
                        set("v2", "plannedAt", .text("2026-12-08T01:00:00Z")), set("v2", "rep", .text("bo")),
                    ]),
                    laptop.mutation([
                        .create(record: RecordID(trusted: "v3"), entity: .visit), set("v3", "customer", .text("c1")),
                        set("v3", "plannedAt", .text("2026-12-08T01:00:00Z")), set("v3", "rep", .text("carl")),
                    ]),
                ])
            #expect(answers.map(\.status) == [.rejected, .rejected, .applied, .rejected, .rejected, .applied])
            #expect(answers[0].code == .invalidText && answers[0].reason?.contains("e-mail address") == true)
            #expect(answers[1].code == .invalidText && answers[1].reason?.contains("phone number") == true)
            #expect(answers[3].code == .valueNotAllowed && answers[3].reason?.contains("nobodyatall") == true)
            #expect(answers[4].reason?.contains("works territory east") == true, "bo works west: \(answers[4])")
        }
    }
}
