import FieldSyncModel
import Synchronization

/// Where a laptop's new ids (records, its replica) come from: the system's random numbers, or a seeded sequence,
/// so a simulated run replays from its seed byte for byte.
public final class IDSource: Sendable {
    private let generator: Mutex<SeededGenerator?>

    /// The system's random numbers: what a real laptop uses.
    public static let system = IDSource(seed: nil)

    /// A source that gives the same ids in the same order for the same seed; `nil`: the system's random numbers.
    public init(seed: UInt64?) { generator = Mutex(seed.map(SeededGenerator.init(seed:))) }

    /// `count` characters drawn from `alphabet`.
    func text(_ count: Int, from alphabet: String) -> String {
        let characters = Array(alphabet)
        return generator.withLock { seeded in
            String(
                (0..<count).map { _ in
                    if seeded != nil { return characters.randomElement(using: &seeded!)! }
                    return characters.randomElement()!
                })
        }
    }
}
