import FieldSyncModel
import Foundation

/// The digest stored with each processed (replica, seq): a resend of the same mutation has the same one, a different
/// mutation under a used seq (a copied or restored laptop) does not.
enum MutationDigest {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// SHA-256 of the mutation's canonical JSON (keys sorted), as 32 hex digits (the first 128 bits).
    ///
    /// Computed from the decoded mutation, so two clients encoding the same mutation differently agree.
    static func of(_ mutation: Mutation) -> String {
        // Encoding a decoded mutation cannot fail: every value in it came from JSON.
        let json = (try? encoder.encode(mutation)) ?? Data()
        return String(Crypto.hex(Crypto.sha256(Array(json))).prefix(32))
    }
}
