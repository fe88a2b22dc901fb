import Hummingbird

/// Authenticates `Authorization: Bearer TOKEN` by the token's SHA-256 hash; refuses with 401 otherwise.
struct AuthMiddleware<Store: SyncStore>: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: Store
    let clock: @Sendable () -> Int64

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let token = Crypto.bytes(hex: String(header.dropFirst(7))), token.count == 32
        else { throw ServerError.unauthorized }
        guard let principal = try await store.principal(tokenHash: Crypto.hex(Crypto.sha256(token)), nowMs: clock())
        else { throw ServerError.unauthorized }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
