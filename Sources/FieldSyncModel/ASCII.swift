/// Byte-level answers for ASCII text, equal to what Swift's character properties give, for the hot paths that check
/// every line of an import.
enum ASCII {
    /// Whether `text` is ASCII only.
    static func only(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Whether the ASCII byte `byte` is a whitespace character (`Character.isWhitespace`).
    static func isWhitespace(_ byte: UInt8) -> Bool { whitespace[Int(byte)] }

    /// Whether the ASCII byte `byte` is a decimal digit.
    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// Whether the ASCII byte `byte` is a hexadecimal digit.
    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    private static let whitespace = (0..<128).map { Character(Unicode.Scalar(UInt8($0))).isWhitespace }
}
