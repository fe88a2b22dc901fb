/// The one error type of the shared model: what was wrong with a value, a write or a mutation, and what is allowed.
///
/// Every message is written for the person who typed the value: it names the record, entity or field and says what
/// would be accepted. The server sends `code` and `message` unchanged in its error body, so the CLI shows the same
/// words whether a value was refused locally or by the server.
public struct ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable reason; the wire protocol lists every code.
    public enum Code: String, Codable, Sendable, CaseIterable {
        case unknownEntity = "unknown_entity"
        case unknownField = "unknown_field"
        case wrongType = "wrong_type"
        case valueNotAllowed = "value_not_allowed"
        case textTooLong = "text_too_long"
        case invalidText = "invalid_text"
        case invalidMoney = "invalid_money"
        case invalidNumber = "invalid_number"
        case invalidDate = "invalid_date"
        case missingRequired = "missing_required"
        case missingReference = "missing_reference"
        case unknownRecord = "unknown_record"
        case recordExists = "record_exists"
        case recordDeleted = "record_deleted"
        case invalidIdentifier = "invalid_identifier"
        case invalidMutation = "invalid_mutation"
        case tooManyWrites = "too_many_writes"
        case clockSkew = "clock_skew"
    }

    /// The reason, as a stable code.
    public let code: Code
    /// What happened and what to do, in one or two sentences.
    public let message: String

    /// Creates an error with a code and a human-readable message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
