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
    let tls: TLSConfiguration? = try configuration.tls.map { tls in
        let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificate).map {
            NIOSSLCertificateSource.certificate($0)
        }
        let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
        return .makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key))
    }
    let registry = ConnectionRegistry(limits: configuration.connections, logger: logger)
    let server = HTTPServerBuilder { responder in
        let http = HTTP1Channel(
            responder: responder, configuration: .init(additionalChannelHandlers: [RequestPhaseHandler()]))
        if let tls { return GuardedChannel(base: try TLSChannel(http, tlsConfiguration: tls), registry: registry) }
        return GuardedChannel(base: http, registry: registry)
    }
    return Application(
        router: router, server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "fieldsync"),
        services: [QuietMemoryRelease(store: store, registry: registry, interval: configuration.quietMemoryRelease)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// Builds the router: public routes, the console, then the authenticated `/v1` routes.
func buildRouter(configuration: ServerConfiguration, store: some SyncStore, clock: ServerClock) -> Router<
    AppRequestContext
> {
    let router = Router(context: AppRequestContext.self)
    let metrics = ServerMetrics()
    let storage = StorageHealth()
    router.add(middleware: ErrorMiddleware(storage: storage))
    router.add(middleware: LimitsMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    OpsController(store: store, metrics: metrics, configuration: configuration, storage: storage).addRoutes(to: router)
    let passwords = PasswordCheck(
        store: store, hasher: PasswordHasher(iterations: configuration.passwordIterations),
        limiter: LoginLimiter(
            maxFailures: configuration.maxLoginFailures, maxNamesPerAddress: configuration.maxLoginNamesPerAddress,
            windowMs: configuration.loginWindowMs),
        metrics: metrics)
    let auth = AuthController(store: store, configuration: configuration, passwords: passwords, clock: clock)
    if configuration.console {
        ConsoleController(store: store, configuration: configuration, passwords: passwords, clock: clock)
            .addRoutes(to: router.group("console"))
    }
    let v1 = router.group("v1").add(middleware: SchemaVersionMiddleware(oldest: configuration.oldestSchemaVersion))
    auth.addPublicRoutes(to: v1)
    let authenticated = v1.group().add(middleware: AuthMiddleware(store: store, clock: configuration.clock))
    auth.addRoutes(to: authenticated)
    SyncController(store: store, configuration: configuration, clock: clock, metrics: metrics).addRoutes(
        to: authenticated)
    return router
}
