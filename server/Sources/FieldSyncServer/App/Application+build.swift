import FieldSyncModel
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL

/// Builds the server application over `store`: routes, middleware, TLS when configured.
public func buildApplication(
    configuration: ServerConfiguration, store: some SyncStore, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let clock = ServerClock(resumingAfter: try await store.latestHLC(), physical: configuration.clock)
    let router = buildRouter(configuration: configuration, store: store, clock: clock)
    let server: HTTPServerBuilder
    if let tls = configuration.tls {
        let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificate).map {
            NIOSSLCertificateSource.certificate($0)
        }
        let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
        server = try .tls(
            .http1(),
            tlsConfiguration: .makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key)))
    } else {
        server = .http1()
    }
    return Application(
        router: router, server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "fieldsync"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// Builds the router: public routes, then the authenticated `/v1` routes.
func buildRouter(configuration: ServerConfiguration, store: some SyncStore, clock: ServerClock) -> Router<
    AppRequestContext
> {
    let router = Router(context: AppRequestContext.self)
    let metrics = ServerMetrics()
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: LimitsMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    OpsController(store: store, metrics: metrics).addRoutes(to: router)
    let auth = AuthController(
        store: store, configuration: configuration,
        hasher: PasswordHasher(iterations: configuration.passwordIterations),
        limiter: LoginLimiter(maxFailures: configuration.maxLoginFailures, windowMs: configuration.loginWindowMs),
        clock: clock, metrics: metrics)
    let v1 = router.group("v1")
    auth.addPublicRoutes(to: v1)
    let authenticated = v1.group().add(middleware: AuthMiddleware(store: store, clock: configuration.clock))
    auth.addRoutes(to: authenticated)
    SyncController(store: store, configuration: configuration, clock: clock, metrics: metrics).addRoutes(
        to: authenticated)
    return router
}
