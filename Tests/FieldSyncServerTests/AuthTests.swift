import FieldSyncModel
import Foundation
import Testing

@testable import FieldSyncServer

@Suite struct AuthTests {
    @Test(arguments: Backend.allCases) func loginGivesATokenThatPushesForItsReplica(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var laptop = Laptop("lap-ana", wall: client.clock)
            #expect(
                try await client.push(token, [laptop.createCustomer("c1", territory: "east")])[0].status == .applied)
        }
    }

    @Test(arguments: Backend.allCases) func wrongPasswordAndUnknownUserGetTheSameAnswer(_ backend: Backend) async throws
    {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let wrong = try await client.send(
                .post, "/v1/login", json: LoginRequest(user: "ana", password: "nope", replica: ReplicaID(trusted: "x")))
            let unknown = try await client.send(
                .post, "/v1/login", json: LoginRequest(user: "zed", password: "nope", replica: ReplicaID(trusted: "x")))
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.body == unknown.body)
        }
    }

    @Test(arguments: Backend.allCases) func repeatedFailuresAreRateLimited(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend) { $0.maxLoginFailures = 5 }
        try await server.run { client in
            let bad = LoginRequest(user: "ana", password: "guess", replica: ReplicaID(trusted: "lap-ana"))
            for _ in 0..<5 { #expect(try await client.send(.post, "/v1/login", json: bad).status == .unauthorized) }
            let good = LoginRequest(user: "ana", password: TestServer.password, replica: ReplicaID(trusted: "lap-ana"))
            let limited = try await client.send(.post, "/v1/login", json: good)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.error?.error.code == .tooManyAttempts)
            client.clock.advance(ms: 6 * 60 * 1000)
            #expect(try await client.send(.post, "/v1/login", json: good).status == .ok)
        }
    }

    @Test(arguments: Backend.allCases) func forgedExpiredRevokedAndDisabledTokensAreRefused(_ backend: Backend)
        async throws
    {
        let server = try await TestServer.make(backend) { $0.tokenLifetimeMs = 60_000 }
        try await server.run { client in
            for header in [nil, "not-hex", String(repeating: "ab", count: 32), String(repeating: "z", count: 64)] {
                let reply = try await client.send(.get, "/v1/pull", token: header)
                #expect(reply.status == .unauthorized, "token \(header ?? "none")")
                #expect(reply.error?.error.code == .unauthorized)
            }
            let expiring = try await client.login("ana")
            client.clock.advance(ms: 61_000)
            #expect(try await client.send(.get, "/v1/pull", token: expiring).status == .unauthorized)

            let revoked = try await client.login("ana")
            #expect(try await client.send(.post, "/v1/logout", token: revoked).status == .noContent)
            #expect(try await client.send(.get, "/v1/pull", token: revoked).status == .unauthorized)

            let disabled = try await client.login("carl")
            try await server.store.setDisabled("carl", true)
            #expect(try await client.send(.get, "/v1/pull", token: disabled).status == .unauthorized)
            let relogin = try await client.send(
                .post, "/v1/login",
                json: LoginRequest(user: "carl", password: TestServer.password, replica: ReplicaID(trusted: "lap-carl"))
            )
            #expect(relogin.status == .unauthorized)
        }
    }

    @Test(arguments: Backend.allCases) func aReplicaIdBelongsToOneUser(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            _ = try await client.login("ana", replica: "lap-shared")
            let reply = try await client.send(
                .post, "/v1/login",
                json: LoginRequest(user: "bo", password: TestServer.password, replica: ReplicaID(trusted: "lap-shared"))
            )
            #expect(reply.status == .conflict)
            #expect(reply.error?.error.code == .replicaTaken)
        }
    }

    @Test(arguments: Backend.allCases) func aTokenCannotPushAsAnotherReplica(_ backend: Backend) async throws {
        let server = try await TestServer.make(backend)
        try await server.run { client in
            let token = try await client.login("ana")
            var other = Laptop("lap-carl", wall: client.clock)
            let reply = try await client.send(
                .post, "/v1/push", token: token,
                json: PushRequest(mutations: [other.createCustomer("c1", territory: "east")]))
            #expect(reply.status == .forbidden)
            #expect(reply.error?.error.code == .replicaMismatch)
            #expect(try await server.changeSeq() == 0)
        }
    }

    @Test func passwordHashesAreSaltedAndVerifiedInConstantTime() {
        let hasher = PasswordHasher(iterations: 1_000)
        let first = hasher.hash("secret-password")
        let second = hasher.hash("secret-password")
        #expect(first != second, "each hash has its own salt")
        #expect(first.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(hasher.verify("secret-password", against: first))
        #expect(!hasher.verify("secret-passworD", against: first))
        #expect(!hasher.verify("secret-password", against: "pbkdf2-sha256$x$00$00"))
        #expect(PasswordHasher.defaultIterations == 600_000)
    }
}
