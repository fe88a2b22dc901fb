import Hummingbird

/// `GET /healthz` and `GET /metrics` (Prometheus text format, for the metrics token or an admin's token).
struct OpsController<Store: SyncStore> {
    let store: Store
    let metrics: ServerMetrics
    let configuration: ServerConfiguration
    let storage: StorageHealth

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz", use: health)
        router.get("metrics", use: render)
    }

    /// `{"status": "ok"}` when the database answers; after a storage failure, only once a write works again
    /// (503 `{"status": "storage_unavailable", "message": …}` until then).
    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let problem = storage.problem {
            do {
                try await store.probeWrite()
                storage.recovered()
                context.logger.notice("storage writes again after: \(problem)")
            } catch {
                let body = try JSONResponseEncoder.encoder.encode(
                    HealthBody(status: "storage_unavailable", message: "The server cannot write: \(problem)."))
                return JSONResponseEncoder.response(body, status: .serviceUnavailable)
            }
        }
        _ = try await store.generation()
        return JSONResponseEncoder.response(Array(#"{"status":"ok"}"#.utf8))
    }

    private struct HealthBody: Encodable {
        let status: String
        let message: String
    }

    @Sendable func render(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await authorizeScrape(request)
        let text = metrics.render(try await store.stats())
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A scrape carries `Authorization: Bearer` with the `--metrics-token` or an admin's session token.
    private func authorizeScrape(_ request: Request) async throws {
        let denied = ServerError(
            .unauthorized, .unauthorized,
            "/metrics needs `Authorization: Bearer` with the server's --metrics-token or an admin's token.")
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw denied }
        let presented = String(header.dropFirst(7))
        if let token = configuration.metricsToken,
            Crypto.constantTimeEqual(Crypto.sha256(Array(presented.utf8)), Crypto.sha256(Array(token.utf8)))
        {
            return
        }
        guard let token = Crypto.bytes(hex: presented), token.count == 32,
            let principal = try await store.principal(
                tokenHash: Crypto.hex(Crypto.sha256(token)), nowMs: configuration.clock()),
            principal.user.role == .admin
        else { throw denied }
    }
}
