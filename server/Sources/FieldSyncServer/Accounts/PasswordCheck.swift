import FieldSyncModel
import NIOPosix

/// Checks a user name and password under the login rate limit: the one way in for the API's login and the console's.
struct PasswordCheck<Store: SyncStore>: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let limiter: LoginLimiter
    let metrics: ServerMetrics

    /// The enabled user `name` whose password is `password`, checked from `address` at `nowMs`; throws 429 when the
    /// name or the address is over its limit (without hashing) and 401 for a wrong name or password.
    func user(named name: String, password: String, address: String, nowMs: Int64) async throws -> User {
        guard !name.isEmpty, name.count <= 64, password.utf8.count <= 1024 else {
            throw ServerError.badRequest("User names have 1–64 characters and passwords at most 1024 bytes.")
        }
        guard let ticket = await limiter.begin(user: name, address: address, nowMs: nowMs) else {
            throw ServerError(
                .tooManyRequests, .tooManyAttempts, "Too many failed logins: wait a few minutes and try again.")
        }
        let account = try await store.user(named: name)
        let hasher = self.hasher
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
        return user
    }

    /// Issues a token for `user` bound to `replica`, valid for `lifetimeMs` from `nowMs`; returns the token's bytes.
    func issueToken(for user: User, replica: ReplicaID, nowMs: Int64, lifetimeMs: Int64) async throws -> (
        token: [UInt8], expiresAtMs: Int64
    ) {
        let token = Crypto.randomBytes(32)
        let expires = nowMs + lifetimeMs
        try await store.addToken(
            hash: Crypto.hex(Crypto.sha256(token)), userID: user.id, replica: replica, expiresAtMs: expires)
        return (token, expires)
    }
}
