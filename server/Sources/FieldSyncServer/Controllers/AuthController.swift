import FieldSyncModel
import Hummingbird

/// `POST /v1/login`, `POST /v1/logout` and `POST /v1/replicas`.
struct AuthController<Store: SyncStore> {
    let store: Store
    let configuration: ServerConfiguration
    let passwords: PasswordCheck<Store>
    let clock: ServerClock

    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("login", use: login)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("logout", use: logout)
        group.post("replicas", use: replica)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> LoginResponse {
        var context = context
        context.maxUploadSize = 16 * 1024  // a login is small; nothing larger is read before the password check
        let body = try await request.decode(as: StrictKeys.Body<LoginRequest>.self, context: context).value
        let now = configuration.clock()
        let user = try await passwords.user(
            named: body.user, password: body.password, address: context.remoteAddress, nowMs: now)
        try await store.registerReplica(body.replica, userID: user.id, firstSeq: max(1, body.firstSeq ?? 1))
        let (token, expires) = try await passwords.issueToken(
            for: user, replica: body.replica, nowMs: now, lifetimeMs: configuration.tokenLifetimeMs)
        context.logger.info("login", metadata: ["user": "\(user.name)", "replica": "\(body.replica)"])
        return LoginResponse(
            token: Crypto.hex(token), expiresAtMs: expires, user: user.name, role: user.role, team: user.team,
            territories: user.territories, replica: body.replica, hlc: await clock.now(),
            generation: try await store.generation())
    }

    /// Registers another replica id for the caller (a copied or restored laptop takes one), or moves a replica's
    /// next expected seq up: the laptop says which seqs it will never send (what it no longer holds).
    @Sendable func replica(_ request: Request, context: AppRequestContext) async throws -> ReplicaResponse {
        let principal = try context.requirePrincipal()
        let body = try await request.decode(as: StrictKeys.Body<ReplicaRequest>.self, context: context).value
        guard body.firstSeq >= 1 else { throw ServerError.badRequest("firstSeq starts at 1.") }
        let seqs = try await store.registerReplica(body.replica, userID: principal.user.id, firstSeq: body.firstSeq)
        context.logger.notice(
            "replica registered",
            metadata: ["user": "\(principal.user.name)", "replica": "\(body.replica)", "firstSeq": "\(body.firstSeq)"])
        return ReplicaResponse(
            replica: body.replica, heldSeq: seqs.held, lastSeq: seqs.last, generation: try await store.generation())
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.revokeToken(hash: context.requirePrincipal().tokenHash)
        return Response(status: .noContent)
    }
}
