import FieldSyncModel
import Foundation
import TestSupport
import Testing

@testable import FieldSyncServer

/// Role × action × ownership: every cell's outcome is asserted, and a denied user never sees a byte of the record.
@Suite struct AuthorizationMatrixTests {
    enum Action: String, CaseIterable {
        case read, history, edit, addContact, note, delete, moveToOwnTerritory
    }

    /// (user, record territory) pairs that may see the record. mia manages team north (ana, carl: east).
    static func canSee(_ user: String, _ territory: String) -> Bool {
        switch user {
        case "root": true
        case "ana", "carl", "mia": territory == "east" || (user == "mia" && territory == "hq-north")
        case "bo": territory == "west"
        default: false
        }
    }

    static func expected(_ user: String, _ action: Action, _ territory: String) -> Bool {
        guard canSee(user, territory) else { return false }
        if action == .moveToOwnTerritory { return user == "mia" || user == "root" }
        return true
    }

    @Test(arguments: Backend.allCases) func everyCellOfTheMatrixHoldsAndNothingLeaks(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.store.setTerritories(of: "mia", to: ["hq-north"])
        try await server.run { client in
            let root = try await client.login("root")
            var rootLaptop = Laptop("lap-root", wall: client.clock)
            var cells = 0
            var unexpected: [String] = []
            var leaks: [String] = []
            var laptops: [String: Laptop] = [:]
            var tokens: [String: String] = [:]
            for user in ["ana", "bo", "mia", "root"] {
                tokens[user] = try await client.login(user, replica: "lap2-\(user)")
                laptops[user] = Laptop("lap2-\(user)", wall: client.clock)
            }
            for territory in ["east", "west"] {
                for user in ["ana", "bo", "mia", "root"] {
                    for action in Action.allCases {
                        cells += 1
                        let id = "r\(cells)"
                        let secret = "SECRET-\(cells)"
                        let create = rootLaptop.createCustomer(id, territory: territory, name: secret)
                        _ = try await client.push(root, [create])
                        let token = tokens[user]!
                        var laptop = laptops[user]!
                        let allowed: Bool
                        var body = ""
                        switch action {
                        case .read:
                            let view = try await client.pullAll(token)
                            allowed = view.records[RecordID(trusted: id)] != nil
                        case .history:
                            let reply = try await client.send(.get, "/v1/records/\(id)/history", token: token)
                            allowed = reply.status == .ok
                            body = reply.text
                        default:
                            let mutation: Mutation
                            switch action {
                            case .edit:
                                mutation = laptop.mutation([set(id, "phone", .text("0571-1"))])
                            case .addContact:
                                mutation = laptop.mutation([
                                    .create(record: RecordID(trusted: "k\(cells)"), entity: .contact),
                                    set("k\(cells)", "customer", .text(id)), set("k\(cells)", "name", .text("x")),
                                ])
                            case .note:
                                mutation = laptop.mutation([.note(record: RecordID(trusted: id), text: "hello")])
                            case .delete:
                                mutation = laptop.mutation([
                                    .delete(
                                        record: RecordID(trusted: id), bases: [create.writeID(1), create.writeID(2)])
                                ])
                            default:
                                let target = user == "mia" ? "hq-north" : user == "bo" ? "west" : "east"
                                let other = territory == target ? "south" : target
                                mutation = laptop.mutation([
                                    set(id, "territory", .text(other), bases: [create.writeID(2)])
                                ])
                            }
                            let reply = try await client.send(
                                .post, "/v1/push", token: token, json: PushRequest(mutations: [mutation]))
                            let result = try reply.decode(PushResponse.self).results[0]
                            allowed = result.status == .applied
                            body = reply.text
                        }
                        laptops[user] = laptop
                        let want = Self.expected(user, action, territory)
                        if allowed != want { unexpected.append("\(user) \(action) \(territory): allowed=\(allowed)") }
                        if !Self.canSee(user, territory) {
                            if body.contains(secret) { leaks.append("\(user) \(action) \(territory) response") }
                            let view = try await client.pullAll(token)
                            if view.records[RecordID(trusted: id)] != nil {
                                leaks.append("\(user) \(action) \(territory) pull")
                            }
                        }
                    }
                }
            }
            #expect(unexpected.isEmpty, "\(unexpected)")
            #expect(leaks.isEmpty, "\(leaks)")
            testOutput(
                "authorization matrix: \(cells) cells, \(unexpected.count) unexpected allows or denials, \(leaks.count) leaked records (\(backend))"
            )
        }
    }

    @Test(arguments: Backend.allCases) func repsCannotPlaceCustomersInOtherTerritoriesOrEscalate(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let ana = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            let result = try await client.push(ana, [laptop.createCustomer("c1", territory: "west")])[0]
            #expect(result.status == .rejected && result.code == .forbidden)
            let create = laptop.createCustomer("c2", territory: "east")
            _ = try await client.push(ana, [create])
            let move = try await client.push(
                ana, [laptop.mutation([set("c2", "territory", .text("east2"), bases: [create.writeID(2)])])])[0]
            #expect(move.status == .rejected && move.code == .forbidden)
            #expect(move.reason?.contains("Only managers") == true)
        }
    }
}
