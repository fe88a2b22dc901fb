import FieldSyncModel
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into the protocol's error body, logs denials, and never lets an internal detail out. Every
/// answer carries the request's id (`FieldSync-Request-Id`), the one its log lines carry as `hb.request.id`.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let storage: StorageHealth

    /// The header naming the request in the server's log.
    static let requestID = HTTPField.Name("FieldSync-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await answer(request, context: context, next: next)
        response.headers[Self.requestID] = context.id
        return response
    }

    private func answer(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            log(error, request: request, context: context)
            return try error.response(from: request, context: context)
        } catch let error as ModelError {
            return try ServerError.invalid(error).response(from: request, context: context)
        } catch let error as StoreError {
            let mapped: ServerError
            switch error {
            case .replicaTaken: mapped = ServerError(.conflict, .replicaTaken, error.description)
            case .userExists: mapped = ServerError(.conflict, .userExists, error.description)
            case .noSuchUser, .accountDeleted: mapped = ServerError(.notFound, .notFound, error.description)
            case .badDatabaseURL, .targetNotEmpty, .copyMismatch, .backupFailed, .lockFailed, .databaseInUse:
                mapped = ServerError(.internalServerError, .internal, "The server's database is misconfigured.")
            }
            log(mapped, request: request, context: context)
            return try mapped.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            if error.status == .notFound, let allowed = Routes.methods(for: request.uri.path),
                !allowed.contains(request.method)
            {
                let list = allowed.map(\.rawValue).joined(separator: ", ")
                var response = try ServerError(
                    .methodNotAllowed, .methodNotAllowed, "\(request.uri.path) takes \(list), not \(request.method)."
                ).response(from: request, context: context)
                response.headers[.allow] = list
                return response
            }
            let mapped = ServerError(error.status, Self.code(for: error.status), Self.message(for: error.status))
            return try mapped.response(from: request, context: context)
        } catch {
            if let problem = StorageHealth.storageProblem(in: error) {
                storage.failed(problem)
                context.logger.critical("storage failure on \(request.method) \(request.uri.path): \(error)")
                return try ServerError(
                    .serviceUnavailable, .storageUnavailable,
                    "The server cannot write: \(problem). Nothing was committed; try again once it is fixed."
                ).response(from: request, context: context)
            }
            context.logger.error("internal error on \(request.method) \(request.uri.path): \(error)")
            return try ServerError(
                .internalServerError, .internal, "The server failed to handle the request; it was logged. Try again."
            ).response(from: request, context: context)
        }
    }

    /// The catalog code for an error the HTTP layer raised (no route, wrong method, a body over the limit).
    static func code(for status: HTTPResponse.Status) -> ErrorCode {
        switch status {
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .contentTooLarge: .payloadTooLarge
        case .unauthorized: .unauthorized
        default: status.code < 500 ? .badRequest : .internal
        }
    }

    /// A message for an error the HTTP layer raised.
    static func message(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "No such path: see protocol/PROTOCOL.md for the endpoints."
        default: status.reasonPhrase
        }
    }

    private func log(_ error: ServerError, request: Request, context: Context) {
        let level: Logger.Level =
            [.unauthorized, .forbidden, .notFound, .tooManyRequests].contains(error.status) ? .notice : .info
        context.logger.log(
            level: level,
            "\(error.status.code) \(error.code) on \(request.method) \(request.uri.path)",
            metadata: ["user": "\(context.principal?.user.name ?? "-")", "address": "\(context.remoteAddress)"])
    }
}
