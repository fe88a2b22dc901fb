/// Limits password checks per user name and per client address, so passwords cannot be guessed at speed.
///
/// An attempt takes its slot before the password is hashed (`begin`), so a burst of concurrent attempts gets no more
/// checks than a sequence would: at most `maxFailures` unsuccessful checks per user name within `windowMs`, however
/// many requests arrive at once. A success gives the slot back and clears the name's count.
///
/// Reps in one office share one address, so the address limit counts the distinct user names that failed from it
/// (`maxNamesPerAddress`: spraying many names) rather than failures: one rep's mistyped passwords lock only that rep.
actor LoginLimiter {
    private let maxFailures: Int
    private let maxNamesPerAddress: Int
    private let windowMs: Int64
    /// Unsuccessful (or still running) checks per user name.
    private var byUser: [String: [Int64]] = [:]
    /// Unsuccessful (or still running) checks per address, with the name each was for.
    private var byAddress: [String: [(atMs: Int64, user: String)]] = [:]

    /// A password check's slot: a failed check keeps it until the window has passed, `succeeded` gives it back.
    struct Ticket: Sendable {
        let user: String
        let address: String
        let atMs: Int64
    }

    init(maxFailures: Int = 10, maxNamesPerAddress: Int = 20, windowMs: Int64 = 5 * 60 * 1000) {
        self.maxFailures = maxFailures
        self.maxNamesPerAddress = maxNamesPerAddress
        self.windowMs = windowMs
    }

    /// Takes a slot for a password check of `user` from `address` at `nowMs`, or `nil` when either is over its limit
    /// (answer 429 without hashing).
    func begin(user: String, address: String, nowMs: Int64) -> Ticket? {
        let userAttempts = (byUser[user] ?? []).filter { nowMs - $0 < windowMs }
        let addressAttempts = (byAddress[address] ?? []).filter { nowMs - $0.atMs < windowMs }
        byUser[user] = userAttempts.isEmpty ? nil : userAttempts
        byAddress[address] = addressAttempts.isEmpty ? nil : addressAttempts
        let names = Set(addressAttempts.map(\.user))
        guard userAttempts.count < maxFailures, names.count < maxNamesPerAddress || names.contains(user) else {
            return nil
        }
        byUser[user, default: []].append(nowMs)
        byAddress[address, default: []].append((nowMs, user))
        return Ticket(user: user, address: address, atMs: nowMs)
    }

    /// The check succeeded: the name's failures are forgiven, and the address's for that name.
    func succeeded(_ ticket: Ticket) {
        byUser[ticket.user] = nil
        byAddress[ticket.address]?.removeAll { $0.user == ticket.user }
    }
}
