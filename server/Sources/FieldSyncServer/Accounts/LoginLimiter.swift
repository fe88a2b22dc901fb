/// Limits failed logins per user name and per client address, so passwords cannot be guessed at speed.
///
/// After `maxFailures` failures within `windowMs`, further attempts for that name or address are refused with 429
/// until the window has passed. A success clears the name's count.
actor LoginLimiter {
    private let maxFailures: Int
    private let windowMs: Int64
    private var failures: [String: [Int64]] = [:]

    init(maxFailures: Int = 10, windowMs: Int64 = 5 * 60 * 1000) {
        self.maxFailures = maxFailures
        self.windowMs = windowMs
    }

    /// Whether an attempt for these keys may proceed at `nowMs`.
    func allows(_ keys: [String], nowMs: Int64) -> Bool {
        keys.allSatisfy { key in
            let recent = (failures[key] ?? []).filter { nowMs - $0 < windowMs }
            failures[key] = recent.isEmpty ? nil : recent
            return recent.count < maxFailures
        }
    }

    /// Records a failed attempt for these keys.
    func recordFailure(_ keys: [String], nowMs: Int64) {
        for key in keys { failures[key, default: []].append(nowMs) }
    }

    /// Clears the count for `key` after a successful login.
    func recordSuccess(_ key: String) {
        failures[key] = nil
    }
}
