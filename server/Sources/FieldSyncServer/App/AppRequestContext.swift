import FieldSyncModel
import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's core storage, how bodies are read and answers written, and the authenticated
/// caller once `AuthMiddleware` set it.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, on authenticated routes.
    public var principal: Principal?
    /// The console session's token, on the console's signed-in pages (its CSRF token is derived from it).
    var consoleToken: [UInt8]?
    /// The client's address, for login rate limiting.
    public let remoteAddress: String
    /// The schema version the client speaks (`SchemaVersionMiddleware`; 1 without the header).
    public var schemaVersion = 1
    /// The largest body a handler reads; `LimitsMiddleware` sets the configured value for every request.
    public var maxUploadSize = ServerConfiguration.defaultMaxBodyBytes

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Reads JSON bodies within `maxUploadSize`, answering 400 and 413 with the protocol's error body.
    public var requestDecoder: JSONRequestDecoder { JSONRequestDecoder() }
    /// Writes JSON answers with sorted keys.
    public var responseEncoder: JSONResponseEncoder { JSONResponseEncoder() }

    /// The schema the client speaks, when older than the server's; `nil` when it speaks the server's own.
    var olderSchema: Schema? {
        schemaVersion < Schema.fieldSync.version ? Schema.fieldSync(version: schemaVersion) : nil
    }

    /// The authenticated caller; throws 401 on a route that forgot the middleware.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw ServerError.unauthorized }
        return principal
    }
}

/// Gives every request the configured body limit before any handler reads a body.
struct LimitsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let type = request.headers[.contentType], request.method == .post,
            !type.lowercased().hasPrefix("application/json"), !ConsoleSession.isConsolePath(request.uri.path)
        {
            throw ServerError(
                .unsupportedMediaType, .unsupportedMediaType,
                "Request bodies are JSON: send Content-Type: application/json, not \(type.prefix(60)).")
        }
        var context = context
        context.maxUploadSize = maxBodyBytes
        return try await next(request, context)
    }
}
