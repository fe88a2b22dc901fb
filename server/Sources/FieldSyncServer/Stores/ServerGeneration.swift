/// The server's identity as laptops see it: a random number kept in the `counters` table, made when a database is
/// created and made again by `fieldsync-server restore`. A laptop that sees it change knows the server may have lost
/// what it acknowledged after the backup, and re-offers it; a cursor of another generation restarts the pull.
///
/// `fieldsync-server copy` keeps it: a copy loses nothing, so laptops need not heal.
public enum ServerGeneration {
    /// The name of its row in `counters`.
    static let counter = "generation"

    /// A new generation number.
    static func random() -> Int64 { Int64.random(in: 1...Int64.max) }

    /// The number as laptops see it: base 36 text.
    static func text(_ number: Int64) -> String { String(number, radix: 36) }
}
