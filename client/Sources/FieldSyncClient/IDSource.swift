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

    /// `count` characters drawn from `alphabet` (ASCII).
    ///
    /// Without a seed, one draw of the system's random numbers seeds the id's characters: 64 random bits per id (an
    /// id of 10 characters from 36 holds 51), one system call instead of one per character.
    func text(_ count: Int, from alphabet: String) -> String {
        let characters = Array(alphabet.utf8)
        return generator.withLock { seeded in
            var random = seeded ?? SeededGenerator(seed: UInt64.random(in: .min ... .max))
            defer { if seeded != nil { seeded = random } }
            return String(decoding: (0..<count).map { _ in characters.randomElement(using: &random)! }, as: UTF8.self)
        }
    }
}
