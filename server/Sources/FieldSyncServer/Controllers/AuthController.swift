import FieldSyncModel
import Hummingbird
import NIOPosix

/// `POST /v1/login`, `POST /v1/logout` and `POST /v1/replicas`.
struct AuthController<Store: SyncStore> {
    let store: Store
    let configuration: ServerConfiguration
    let hasher: PasswordHasher
    let limiter: LoginLimiter
    let clock: ServerClock
    let metrics: ServerMetrics

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
        guard !body.user.isEmpty, body.user.count <= 64, body.password.utf8.count <= 1024 else {
            throw ServerError.badRequest("User names have 1–64 characters and passwords at most 1024 bytes.")
        }
        let now = configuration.clock()
        guard let ticket = await limiter.begin(user: body.user, address: context.remoteAddress, nowMs: now) else {
            throw ServerError(
                .tooManyRequests, .tooManyAttempts, "Too many failed logins: wait a few minutes and try again.")
        }
        let account = try await store.user(named: body.user)
        let hasher = self.hasher
        let password = body.password
        let valid = try await NIOThreadPool.singleton.runIfActive {
            guard let account else {
                hasher.verifyNothing(password)
                return false
            }
            return hasher.verify(password, against: account.passwordHash) && !account.user.disabled
        }
        guard valid, let user = account?.user else {
            metrics.loginFailures.increment()
            throw ServerError(.unauthorized, .invalidCredentials, "Wrong user name or password.")
        }
        await limiter.succeeded(ticket)
        try await store.registerReplica(body.replica, userID: user.id, firstSeq: max(1, body.firstSeq ?? 1))
        let token = Crypto.randomBytes(32)
        let expires = now + configuration.tokenLifetimeMs
        try await store.addToken(
            hash: Crypto.hex(Crypto.sha256(token)), userID: user.id, replica: body.replica, expiresAtMs: expires)
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
