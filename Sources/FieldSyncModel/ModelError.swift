/// The one error type of the shared model: what was wrong with a value, a write or a mutation, and what is allowed.
///
/// Every message is written for the person who typed the value: it names the record, entity or field and says what
/// would be accepted. The server sends `code` and `message` unchanged in its error body, so the CLI shows the same
/// words whether a value was refused locally or by the server.
public struct ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reason, as a stable code.
    public let code: ErrorCode
    /// What happened and what to do, in one or two sentences.
    public let message: String

    /// Creates an error with a code and a human-readable message.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
