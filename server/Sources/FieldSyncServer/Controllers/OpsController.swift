import Hummingbird

/// `GET /healthz` and `GET /metrics` (Prometheus text format).
struct OpsController<Store: SyncStore> {
    let store: Store
    let metrics: ServerMetrics

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz", use: health)
        router.get("metrics", use: render)
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await store.stats()
        return JSONResponseEncoder.response(Array(#"{"status":"ok"}"#.utf8))
    }

    @Sendable func render(_ request: Request, context: AppRequestContext) async throws -> Response {
        let text = metrics.render(try await store.stats())
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
