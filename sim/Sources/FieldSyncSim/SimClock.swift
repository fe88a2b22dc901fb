import FieldSyncClient
import Foundation
import Synchronization

/// The time a simulated team lives in: the server's and every laptop's clock (plus its skew) read it, and it moves
/// only when the run says so, so a run replays from its seed with the same timestamps. Against servers already
/// running (`--server`), which keep their own time, it is the wall clock.
final class SimClock: Sendable {
    private let milliseconds: Mutex<Int64>?

    /// A simulated clock starting at `startMs`.
    init(startMs: Int64) { milliseconds = Mutex(startMs) }

    /// The wall clock.
    static let wall = SimClock()

    private init() { milliseconds = nil }

    /// Now, in milliseconds since 1970.
    func now() -> Int64 { milliseconds?.withLock { $0 } ?? LocalStore.systemMilliseconds() }

    /// Moves simulated time on by `ms`.
    func advance(_ ms: Int64) { milliseconds?.withLock { $0 += ms } }

    /// The seed of a laptop's ids: the run's seed and the laptop's name (FNV-1a, the same on every machine).
    static func seed(_ base: UInt64, _ name: String) -> UInt64 {
        var hash = FNV1a()
        hash.add(name.utf8)
        return hash.value ^ base
    }
}

/// FNV-1a, 64 bits: a hash that is the same on every machine and in every process (Swift's `Hasher` is not).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0100_0000_01b3 }
    }
}
