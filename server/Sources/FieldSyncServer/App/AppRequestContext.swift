import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's core storage plus the authenticated caller, once `AuthMiddleware` set it.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, on authenticated routes.
    public var principal: Principal?
    /// The client's address, for login rate limiting.
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The authenticated caller; throws 401 on a route that forgot the middleware.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw ServerError.unauthorized }
        return principal
    }
}
