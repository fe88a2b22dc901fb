import FieldSyncModel

/// The one error type of the client: a code from the catalog and a message that says what happened and what to do.
///
/// The CLI prints `message` on one line and exits 1; it never shows a stack trace or a raw decoding error.
public struct ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stable code: the model's validation codes, the server's error codes, or the client's own (`ErrorCode`).
    public let code: ErrorCode
    /// What happened and what to do.
    public let message: String

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The client's form of a validation failure: the same code and words.
    public init(_ error: ModelError) {
        self.init(error.code, error.message)
    }

    public var description: String { message }

    /// Not logged in.
    public static let notLoggedIn = ClientError(
        .notLoggedIn, "Not logged in: run `fieldsync login --server URL --user NAME --password-stdin`.")

    /// A record reference that matched nothing.
    public static func noSuchRecord(_ reference: String) -> ClientError {
        ClientError(
            .notFound,
            "No record matches '\(reference)': use an id, a unique id prefix (4 characters or more after the dash) or"
                + " an exact name.")
    }
}
