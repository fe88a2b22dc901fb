/// Every error code FieldSync uses, in one catalog: the wire protocol's (validation, per-mutation refusals, HTTP
/// errors) and the client's own.
///
/// A code is open-ended text on the wire, so a client decodes a code a newer server invents without failing; in the
/// code base every code is one of the constants below, never a string literal. protocol/PROTOCOL.md documents each
/// one in `wire` (a test checks it).
public struct ErrorCode: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    /// The code as it travels.
    public let rawValue: String

    /// Wraps a code received from elsewhere (a response body, a stored rejection).
    public init(rawValue: String) { self.rawValue = rawValue }

    private init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    // MARK: - Validation (the shared model; also per-mutation refusals)

    /// An entity name the schema does not have.
    public static let unknownEntity = ErrorCode("unknown_entity")
    /// A field name the entity does not have, or one only the server sets.
    public static let unknownField = ErrorCode("unknown_field")
    /// A value of the wrong JSON type, or an operation that does not fit the field.
    public static let wrongType = ErrorCode("wrong_type")
    /// A choice outside the field's allowed values.
    public static let valueNotAllowed = ErrorCode("value_not_allowed")
    /// Text over the field's limit.
    public static let textTooLong = ErrorCode("text_too_long")
    /// Text with NUL or other control characters.
    public static let invalidText = ErrorCode("invalid_text")
    /// A malformed amount or currency.
    public static let invalidMoney = ErrorCode("invalid_money")
    /// A number out of range or not whole.
    public static let invalidNumber = ErrorCode("invalid_number")
    /// A malformed date or date-time.
    public static let invalidDate = ErrorCode("invalid_date")
    /// A create without a required field.
    public static let missingRequired = ErrorCode("missing_required")
    /// A reference to a record of another entity, or to none.
    public static let missingReference = ErrorCode("missing_reference")
    /// A write to a record that does not exist (or is not visible).
    public static let unknownRecord = ErrorCode("unknown_record")
    /// A create of a record id that is taken.
    public static let recordExists = ErrorCode("record_exists")
    /// A write to a deleted record.
    public static let recordDeleted = ErrorCode("record_deleted")
    /// A malformed record, write or replica id.
    public static let invalidIdentifier = ErrorCode("invalid_identifier")
    /// A mutation whose shape is wrong (no writes, a write of another replica, a bad order).
    public static let invalidMutation = ErrorCode("invalid_mutation")
    /// A mutation with more writes than allowed.
    public static let tooManyWrites = ErrorCode("too_many_writes")
    /// A timestamp too far ahead of the server's clock.
    public static let clockSkew = ErrorCode("clock_skew")
    /// A mutation that would make a record hold more notes or bytes than a record may.
    public static let recordTooLarge = ErrorCode("record_too_large")

    // MARK: - Server rules (per-mutation results)

    /// A write the caller's role or territories do not allow.
    public static let forbidden = ErrorCode("forbidden")
    /// A base that names a write the server does not have.
    public static let unknownBase = ErrorCode("unknown_base")
    /// A mutation after a gap in the replica's seq numbers (result `retry`).
    public static let seqGap = ErrorCode("seq_gap")
    /// A different mutation under a (replica, seq) the server already processed: the laptop's data folder was copied
    /// or restored, so two installs share a replica id (result `retry`; the laptop takes a new replica id).
    public static let replicaCloned = ErrorCode("replica_cloned")

    // MARK: - HTTP errors (the error body)

    /// Malformed JSON, wrong types, bad query parameters.
    public static let badRequest = ErrorCode("bad_request")
    /// No valid token.
    public static let unauthorized = ErrorCode("unauthorized")
    /// Wrong user name or password.
    public static let invalidCredentials = ErrorCode("invalid_credentials")
    /// A push with mutations of a replica other than the token's.
    public static let replicaMismatch = ErrorCode("replica_mismatch")
    /// A record that does not exist or is not visible (indistinguishable on purpose).
    public static let notFound = ErrorCode("not_found")
    /// A method the path does not take.
    public static let methodNotAllowed = ErrorCode("method_not_allowed")
    /// A replica id bound to another user.
    public static let replicaTaken = ErrorCode("replica_taken")
    /// A user name in use.
    public static let userExists = ErrorCode("user_exists")
    /// A body over the size limit.
    public static let payloadTooLarge = ErrorCode("payload_too_large")
    /// A push with more mutations than allowed.
    public static let tooManyMutations = ErrorCode("too_many_mutations")
    /// Repeated failed logins.
    public static let tooManyAttempts = ErrorCode("too_many_attempts")
    /// A laptop whose schema version is older than the oldest the server serves: install the new release.
    public static let upgradeRequired = ErrorCode("upgrade_required")
    /// A laptop whose schema version is newer than the server's: the server must be upgraded first.
    public static let schemaTooNew = ErrorCode("schema_too_new")
    /// A body that is not `application/json`.
    public static let unsupportedMediaType = ErrorCode("unsupported_media_type")
    /// The server's database cannot write (a full disk, an I/O error): nothing was committed; try again later.
    public static let storageUnavailable = ErrorCode("storage_unavailable")
    /// A server fault (logged; nothing committed).
    public static let `internal` = ErrorCode("internal")

    // MARK: - The client's own (never on the wire)

    /// No session on this laptop.
    public static let notLoggedIn = ErrorCode("not_logged_in")
    /// The server could not be reached.
    public static let network = ErrorCode("network")
    /// An answer the client could not read.
    public static let badResponse = ErrorCode("bad_response")
    /// A reference that matches several records.
    public static let ambiguous = ErrorCode("ambiguous")
    /// The laptop's data folder could not be opened.
    public static let localStore = ErrorCode("local_store")
    /// A command-line value that is not of the expected form.
    public static let invalidArgument = ErrorCode("invalid_argument")
    /// A file to import that could not be read.
    public static let badFile = ErrorCode("bad_file")
    /// A conflict resolution that does not fit the conflict.
    public static let badResolution = ErrorCode("bad_resolution")
    /// The laptop's replica file is emptied, truncated or fails its integrity check.
    public static let damagedStore = ErrorCode("damaged_store")

    /// The codes the wire protocol defines, each documented in protocol/PROTOCOL.md.
    public static let wire: [ErrorCode] = [
        .unknownEntity, .unknownField, .wrongType, .valueNotAllowed, .textTooLong, .invalidText, .invalidMoney,
        .invalidNumber, .invalidDate, .missingRequired, .missingReference, .unknownRecord, .recordExists,
        .recordDeleted, .invalidIdentifier, .invalidMutation, .tooManyWrites, .clockSkew, .recordTooLarge,
        .forbidden, .unknownBase, .seqGap, .replicaCloned,
        .badRequest, .unauthorized, .invalidCredentials, .replicaMismatch, .notFound, .methodNotAllowed,
        .replicaTaken, .userExists, .payloadTooLarge, .tooManyMutations, .tooManyAttempts, .unsupportedMediaType,
        .storageUnavailable, .internal,
    ]

    /// The validation codes: what the shared model refuses.
    public static let validation: [ErrorCode] = Array(wire.prefix(19))
}
