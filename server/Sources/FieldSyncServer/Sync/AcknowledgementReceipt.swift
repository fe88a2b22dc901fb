/// The server's signed word that it accepted a mutation: HMAC-SHA256, under a key kept in the database, of the
/// user's name and the mutation's digest (which binds its replica, seq, timestamp and every write).
///
/// A laptop keeps the receipt with the acknowledged mutation. When the server is restored from a backup that predates
/// it, the laptop re-offers the mutation with its receipt, and the server applies it as the change it already
/// authorized once: the rules that may have changed since (a customer moved to another territory by a re-offer that
/// came first, a referenced record deleted after it, an owner who left) do not refuse it again. A receipt vouches only
/// for that user, that replica and seq and those exact writes, so it cannot authorize anything else; a forged or
/// foreign one is ignored and the mutation is checked like any other.
///
/// The key is 256 random bits in four rows of `counters`, made with the database, carried by backups and copies (so
/// a restored server still knows its receipts) and made anew only for a backup that predates receipts.
enum AcknowledgementReceipt {
    /// The names of the key's rows in `counters`.
    static let keyCounters = (0..<4).map { "receipt_key_\($0)" }

    /// New key rows: (name, value).
    static func newKeyRows() -> [(name: String, value: Int64)] {
        keyCounters.map { ($0, Int64.random(in: .min ... .max)) }
    }

    /// The key from its rows' values in `keyCounters` order; `nil` unless all four are there.
    static func key(_ values: [String: Int64]) -> [UInt8]? {
        var key: [UInt8] = []
        for name in keyCounters {
            guard let value = values[name] else { return nil }
            key += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> (56 - 8 * $0)) }
        }
        return key
    }

    /// The receipt for `digest` (`MutationDigest`) accepted from `user`: 32 hex digits.
    static func sign(_ digest: String, user: String, key: [UInt8]) -> String {
        let message = Array("fieldsync-receipt-1\n\(user)\n\(digest)".utf8)
        return String(Crypto.hex(Crypto.hmacSHA256(key: key, message)).prefix(32))
    }

    /// Whether `receipt` is the server's for `digest` from `user`.
    static func verify(_ receipt: String, digest: String, user: String, key: [UInt8]) -> Bool {
        Crypto.constantTimeEqual(Array(receipt.utf8), Array(sign(digest, user: user, key: key).utf8))
    }
}
