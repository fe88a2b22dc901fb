import FieldSyncModel
import HTTPTypes
import Hummingbird

/// Reads the schema version a laptop speaks from the `FieldSync-Schema` header (absent: 1, as the first release sent
/// nothing) on every `/v1` request, and refuses a version the server does not serve before anything else happens:
/// older than `oldest` with `upgrade_required` (426), newer than the server's with `schema_too_new`.
struct SchemaVersionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    private static let header = HTTPField.Name(SchemaHeader.name)!
    /// The oldest version served.
    let oldest: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        context.schemaVersion = try Self.version(of: request, oldest: oldest)
        return try await next(request, context)
    }

    /// The version `request` speaks, or the refusal.
    static func version(of request: Request, oldest: Int) throws -> Int {
        let newest = Schema.fieldSync.version
        guard let text = request.headers[header] else {
            guard oldest <= 1 else { throw tooOld(1, oldest: oldest) }
            return 1
        }
        guard let version = Int(text), version >= 1 else {
            throw ServerError.badRequest(
                "\(SchemaHeader.name) must be a schema version, a whole number from 1 to \(newest).")
        }
        if version < oldest { throw tooOld(version, oldest: oldest) }
        guard version <= newest else {
            throw ServerError(
                .badRequest, .schemaTooNew,
                "This laptop speaks schema version \(version); this server speaks up to \(newest): ask your"
                    + " administrator to upgrade the server (the laptop keeps its unsent changes until then).")
        }
        return version
    }

    private static func tooOld(_ version: Int, oldest: Int) -> ServerError {
        ServerError(
            .upgradeRequired, .upgradeRequired,
            "This laptop's FieldSync speaks schema version \(version); this server needs version \(oldest) or later:"
                + " install the new FieldSync release, then sync again (unsent changes stay on the laptop and go"
                + " out after the upgrade).")
    }
}
