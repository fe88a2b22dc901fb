/// Hashes and verifies passwords with PBKDF2-HMAC-SHA256, a per-user salt, and the iteration count stored with each
/// hash (`pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX`), so the count can rise without invalidating old hashes.
public struct PasswordHasher: Sendable {
    /// Iterations for new hashes (default 600,000, OWASP's figure for PBKDF2-HMAC-SHA256).
    public let iterations: Int

    /// The default iteration count.
    public static let defaultIterations = 600_000

    /// Creates a hasher; tests pass a small count to stay fast.
    public init(iterations: Int = defaultIterations) {
        self.iterations = max(1, iterations)
    }

    /// A new hash of `password` with a fresh 16-byte salt.
    public func hash(_ password: String) -> String {
        let salt = Crypto.randomBytes(16)
        let key = Crypto.pbkdf2(password: password, salt: salt, iterations: iterations)
        return "pbkdf2-sha256$\(iterations)$\(Crypto.hex(salt))$\(Crypto.hex(key))"
    }

    /// Whether `password` matches `stored`, compared in constant time. A malformed stored hash never matches.
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let count = Int(parts[1]), count > 0,
            let salt = Crypto.bytes(hex: String(parts[2])), let expected = Crypto.bytes(hex: String(parts[3]))
        else {
            verifyNothing(password)  // a deleted account has no hash: it takes as long to refuse as any other
            return false
        }
        let key = Crypto.pbkdf2(password: password, salt: salt, iterations: count)
        return Crypto.constantTimeEqual(key, expected)
    }

    /// Runs the same work as a real verification, for unknown users, so response time does not reveal who exists.
    public func verifyNothing(_ password: String) {
        _ = Crypto.pbkdf2(password: password, salt: [UInt8](repeating: 0, count: 16), iterations: iterations)
    }
}
