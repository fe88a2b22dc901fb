import FieldSyncModel
import Foundation
import HTTPTypes
import Hummingbird

/// The console's sessions: a token like the API's (same table, same expiry and revocation: `user passwd`, disabling
/// and deleting a user end them too) carried in an HttpOnly, SameSite=Strict cookie, and a CSRF token derived from it
/// that every form carries back.
enum ConsoleSession {
    /// The session cookie's name.
    static let cookieName = "fieldsync_console"

    /// Whether `path` is one of the console's (its forms are URL-encoded, not JSON).
    static func isConsolePath(_ path: String) -> Bool { path == "/console" || path.hasPrefix("/console/") }

    /// The replica a user's console writes come from: one per user, registered like a laptop's.
    static func replica(of user: User) -> ReplicaID { ReplicaID(trusted: "console-\(user.id)") }

    /// The form field carrying the CSRF token.
    static let csrfField = "csrf"

    /// The CSRF token of the session `token`: an HMAC of a fixed label under the session's own secret, so it is
    /// known only to whoever holds the session and needs no storage.
    static func csrf(for token: [UInt8]) -> String {
        Crypto.hex(Crypto.hmacSHA256(key: token, Array("fieldsync-console-csrf".utf8)))
    }

    /// Whether `presented` is the CSRF token of `token` (compared in constant time).
    static func csrfMatches(_ presented: String?, token: [UInt8]) -> Bool {
        guard let presented, let bytes = Crypto.bytes(hex: presented),
            let expected = Crypto.bytes(hex: csrf(for: token))
        else { return false }
        return bytes.count == expected.count && zip(bytes, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The cookie that carries `token` for `lifetimeMs` (Secure when the server speaks TLS).
    static func cookie(_ token: [UInt8], lifetimeMs: Int64, secure: Bool) -> Cookie {
        Cookie(
            name: cookieName, value: Crypto.hex(token), maxAge: Int(lifetimeMs / 1000), path: "/console",
            secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The cookie that ends the session in the browser.
    static func expiredCookie(secure: Bool) -> Cookie {
        Cookie(
            name: cookieName, value: "", maxAge: 0, path: "/console", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The session token a request's cookie carries, if it is well formed.
    static func token(in request: Request) -> [UInt8]? {
        guard let value = request.cookies[cookieName]?.value, let token = Crypto.bytes(hex: value), token.count == 32
        else { return nil }
        return token
    }

    /// Reads a URL-encoded form body (at most 64 KiB) into `Form`.
    static func form<Form: Decodable>(_: Form.Type, from request: Request) async throws -> Form {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw ServerError(
                .unsupportedMediaType, .unsupportedMediaType,
                "Console forms are sent as application/x-www-form-urlencoded.")
        }
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: buffer))
        } catch {
            throw ServerError.badRequest("The form is incomplete: reload the page and send it again.")
        }
    }

    /// A 303 to `location` (after a form: the browser then loads the page with GET).
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// Signs the console's pages in: a valid session cookie makes the request's principal; without one, pages redirect
/// to the login form. Forms from another origin are refused whatever they carry.
struct ConsoleSessionMiddleware<Store: SyncStore>: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: Store
    let clock: @Sendable () -> Int64

    /// Pages that need no session.
    static func isPublic(_ path: String) -> Bool { path == "/console/login" || path == "/console/style.css" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        // HTTP/1.1 requests name the server in Host, HTTP/2 in :authority.
        let host = request.head.authority ?? request.headers[HTTPField.Name("Host")!] ?? ""
        if request.method == .post, let origin = request.headers[.origin],
            host.isEmpty || !["http://", "https://"].contains(where: { origin == $0 + host })
        {
            throw ServerError(.forbidden, .forbidden, "This form was sent from another site, so it was refused.")
        }
        if Self.isPublic(request.uri.path) { return try await next(request, context) }
        guard let token = ConsoleSession.token(in: request),
            let principal = try await store.principal(tokenHash: Crypto.hex(Crypto.sha256(token)), nowMs: clock())
        else {
            return ConsoleSession.redirect(to: "/console/login")
        }
        var context = context
        context.principal = principal
        context.consoleToken = token
        return try await next(request, context)
    }
}

/// Headers on every console answer: nothing loads from elsewhere, no framing, nothing cached.
struct ConsoleHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// The content security policy: the page's own stylesheet and images, forms back to the server, nothing else.
    static let policy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none';"
        + " base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with forms, which the
        // session middleware refuses as another site's.
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
