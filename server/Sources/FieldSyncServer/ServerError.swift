import FieldSyncModel
import Foundation
import HTTPTypes
import Hummingbird

/// The one error type of the server: an HTTP status, a stable code, a message that says what to do, and the cause.
///
/// Every error leaves the server through `response(from:context:)` as the protocol's `ErrorBody`, so clients see
/// the same shape for every failure. Messages never contain a byte of a record the caller may not see.
public struct ServerError: Error, HTTPResponseError, CustomStringConvertible {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// A stable, machine-readable code from the catalog (protocol/PROTOCOL.md lists them).
    public let code: ErrorCode
    /// What happened and what to do.
    public let message: String
    /// The underlying cause, for logs only (never sent).
    public let cause: String?

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, _ code: ErrorCode, _ message: String, cause: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)\(cause.map { " (\($0))" } ?? "")" }

    /// Malformed input: bad JSON, wrong types, missing parameters.
    static func badRequest(_ message: String, cause: String? = nil) -> ServerError {
        ServerError(.badRequest, .badRequest, message, cause: cause)
    }

    /// No valid token.
    static let unauthorized = ServerError(
        .unauthorized, .unauthorized, "Missing, expired or revoked token: log in again with `fieldsync login`.")

    /// A record that does not exist or that the caller may not see (the two are indistinguishable on purpose).
    static func notFound(_ what: String) -> ServerError {
        ServerError(.notFound, .notFound, "\(what) does not exist or is not visible to you.")
    }

    /// A validation failure from the shared model.
    static func invalid(_ error: ModelError) -> ServerError {
        ServerError(.unprocessableContent, error.code, error.message)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONResponseEncoder.encoder.encode(ErrorBody(code: code, message: message))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
