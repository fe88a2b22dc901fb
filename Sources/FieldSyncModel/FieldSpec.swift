/// One field of an entity: its name, type, whether it is required, and how conflicts pick a winner.
public struct FieldSpec: Hashable, Sendable {
    /// The field name as it appears on the wire, in the CLI and in CSV headers.
    public let name: String
    /// The field's type and limits.
    public let type: FieldType
    /// Whether a record must have a value here from creation on (it can never be cleared).
    public let required: Bool
    /// Whether only managers and admins may change the field after creation (a record's territory).
    public let managed: Bool
    /// How a conflict on this field picks the value shown.
    public let rule: WinnerRule
    /// The shape a text value must have (an e-mail address, a phone number), if any.
    public let format: TextFormat?
    /// Whether the value moves only forward along its rule's ranks (a workflow): a write to a lower rank than the
    /// stored value's is refused unless a manager or admin makes it (reopening).
    public let forwardOnly: Bool
    /// One line for help texts and the protocol docs.
    public let help: String

    /// Creates a field specification.
    public init(
        _ name: String,
        _ type: FieldType,
        required: Bool = false,
        managed: Bool = false,
        rule: WinnerRule = .latest,
        format: TextFormat? = nil,
        forwardOnly: Bool = false,
        help: String
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.managed = managed
        self.rule = rule
        self.format = format
        self.forwardOnly = forwardOnly
        self.help = help
    }

    /// The same field with another type (an older version's shorter list of choices).
    func with(type: FieldType) -> FieldSpec {
        FieldSpec(
            name, type, required: required, managed: managed, rule: rule, format: format, forwardOnly: forwardOnly,
            help: help)
    }

    /// The same field under another name (an older version's name for a renamed field).
    func with(name: String) -> FieldSpec {
        FieldSpec(
            name, type, required: required, managed: managed, rule: rule, format: format, forwardOnly: forwardOnly,
            help: help)
    }

    /// Whether `value` may replace `stored` in this field when the writer may not reopen: always, unless the field
    /// moves only forward and `value` ranks below `stored`.
    public func movesForward(from stored: Value, to value: Value) -> Bool {
        !forwardOnly || stored == .null || value == .null || rule.rank(of: value) >= rule.rank(of: stored)
    }
}

/// A shape a text field's values must have.
public enum TextFormat: String, Hashable, Sendable {
    /// An e-mail address: `name@domain.tld`, no spaces.
    case email
    /// A phone number: at least 3 digits (any width), with spaces, `+ - ( ) .` and an extension (`ext`, `x`, `转`,
    /// `#`) allowed, and no other letters.
    case phone

    /// Whether `text` has this shape.
    public func accepts(_ text: String) -> Bool {
        // An import checks every line's phone and e-mail: ASCII text is read as bytes, with the answer the character
        // reading below gives (the tests compare the two).
        if ASCII.only(text) { return acceptsASCII(Array(text.utf8)) }
        return acceptsCharacters(text)
    }

    /// `accepts` read character by character: any text.
    func acceptsCharacters(_ text: String) -> Bool {
        switch self {
        case .email:
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !text.contains(where: \.isWhitespace) else { return false }
            let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
            return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty }
        case .phone:
            var rest = Substring(text)
            for mark in Self.extensionMarks {
                guard let range = rest.firstRange(of: mark) else { continue }
                guard rest[range.upperBound...].drop(while: { " .:".contains($0) }).allSatisfy(\.isDigit) else {
                    return false
                }
                rest = rest[..<range.lowerBound]
                break
            }
            return rest.count(where: \.isDigit) >= 3
                && rest.allSatisfy { $0.isDigit || " +-().－（）＋\u{3000}".contains($0) }
        }
    }

    /// `accepts` read byte by byte: ASCII text only.
    func acceptsASCII(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .email:
            guard !bytes.contains(where: ASCII.isWhitespace), let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0
            else { return false }
            let domain = bytes[(at + 1)...]
            // Two or more non-empty parts between dots, and no second "@".
            return !domain.contains(UInt8(ascii: "@")) && domain.contains(UInt8(ascii: "."))
                && domain.first != UInt8(ascii: ".") && domain.last != UInt8(ascii: ".")
                && !zip(domain, domain.dropFirst()).contains { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }
        case .phone:
            var end = bytes.count
            for mark in Self.asciiExtensionMarks {
                guard
                    let start = (0...max(0, bytes.count - mark.count)).first(where: { bytes[$0...].starts(with: mark) })
                else { continue }
                guard bytes[(start + mark.count)...].drop(while: Self.extensionGap.contains).allSatisfy(ASCII.isDigit)
                else { return false }
                end = start
                break
            }
            return bytes[..<end].count(where: ASCII.isDigit) >= 3
                && bytes[..<end].allSatisfy { ASCII.isDigit($0) || Self.phoneMarks.contains($0) }
        }
    }

    /// What may end a phone number: an extension after one of these.
    private static let extensionMarks = ["ext", "转", "x", "#"]

    /// The extension marks an ASCII text can hold, as bytes.
    private static let asciiExtensionMarks = extensionMarks.filter(ASCII.only).map { Array($0.utf8) }

    /// What may stand between an extension mark and its digits, and besides digits in a number (ASCII).
    private static let (extensionGap, phoneMarks) = (Array(" .:".utf8), Array(" +-().".utf8))

    /// What the shape is, for a message: "an e-mail address like name@example.com".
    public var example: String {
        switch self {
        case .email: "an e-mail address like name@example.com"
        case .phone:
            "a phone number (digits, spaces, + - ( ) and an extension), like 0571-8888-0000 or +86 138 0013 8000"
        }
    }
}

extension Character {
    /// A decimal digit of any width (`7`, `７`).
    fileprivate var isDigit: Bool { isNumber && wholeNumberValue != nil }
}
