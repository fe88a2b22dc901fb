/// A validated identifier: 1–64 characters of `A–Z a–z 0–9 _ -`.
///
/// Identifiers appear in URLs, file names and composite keys (`WriteID` joins them with `:`), so they are kept to a
/// character set that needs no escaping anywhere. Conforming types get validation, ordering and Codable (as a plain
/// JSON string that is checked when decoded).
public protocol Identifier: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// How the identifier is named in error messages ("Record id").
    static var kindName: String { get }
    /// The identifier text.
    var rawValue: String { get }
    /// Creates an identifier from text known to be valid (constants, values read back from our own storage).
    init(trusted rawValue: String)
}

/// The longest identifier accepted.
public let identifierMaxLength = 64

extension Identifier {
    /// Creates an identifier, checking its characters.
    public init(_ rawValue: String) throws(ModelError) {
        guard Self.isValid(rawValue) else {
            throw ModelError(
                .invalidIdentifier,
                "\(Self.kindName) '\(rawValue.prefix(80))' is not valid: use 1–\(identifierMaxLength) characters of"
                    + " A–Z, a–z, 0–9, '_' and '-'."
            )
        }
        self.init(trusted: rawValue)
    }

    /// Whether `raw` is a well-formed identifier.
    public static func isValid(_ raw: String) -> Bool {
        let bytes = raw.utf8
        guard !bytes.isEmpty, bytes.count <= identifierMaxLength else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
