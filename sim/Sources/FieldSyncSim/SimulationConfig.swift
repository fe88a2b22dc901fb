/// What a simulation runs: how many reps and managers, for how many days, which faults, against which server.
public struct SimulationConfig: Sendable {
    /// Simulated sales reps, each a laptop with its own replica.
    public var reps = 20
    /// Simulated managers; each leads a team of reps.
    public var managers = 2
    /// Simulated working days.
    public var days = 3
    /// The seed every random choice derives from; the same seed replays the same schedule.
    public var seed: UInt64 = 1
    /// Running server nodes to use instead of an embedded server, laptops dealt to them in turn (their database must
    /// be given too, for the accounts).
    public var servers: [String] = []
    /// The database: the embedded server's, or the given server's. `nil`: a new SQLite file in a temporary folder.
    public var database: String?
    /// Faults to inject.
    public var faults: Set<Fault> = []
    /// Share of edits that land on the few records every rep of a territory shares.
    public var hotShare = 0.3
    /// Edits per rep per day.
    public var editsPerDay = 8
    /// Percent of laptops on the previous release (they speak the previous schema version; half of them upgrade
    /// midway through the run).
    public var oldRelease = 20
    /// Where laptops keep their replicas. `nil`: a temporary folder, removed afterwards.
    public var workDirectory: String?
    /// Whether the laptops that sync in a round sync at the same moment (the interleaving is then up to the
    /// machine, so the seed replays the schedule but not every byte), rather than one after the other in an order
    /// drawn from the seed.
    public var concurrent = false

    /// Creates the default configuration.
    public init() {}

    /// The faults a simulation can inject.
    public enum Fault: String, CaseIterable, Sendable {
        /// The server commits a push but its answer never reaches the laptop.
        case drop
        /// A push is delivered twice, and an old push is delivered again after newer ones.
        case dup
        /// A laptop is killed in the middle of a push or a pull and restarts from its files.
        case kill
        /// Laptop clocks are hours behind, and one laptop is days ahead (its writes must be refused and reported).
        case skew
        /// The server restarts between syncs (embedded server only).
        case restart
        /// A rep's data folder is copied to a second laptop mid-run (one copy to another folder, one "imaged" with the
        /// same fingerprint, so only the server's digests tell them apart); all three keep working.
        case clone
        /// The server is backed up, works on, then is restored from the backup; laptops heal it (embedded only).
        case restore
        /// A rep's clock runs three days ahead for a day (its edits are refused), then is corrected; it retries them.
        case clockfix
    }

    /// Parses `drop,dup,...`; throws naming the unknown fault.
    public static func faults(_ text: String) throws -> Set<Fault> {
        var faults: Set<Fault> = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let fault = Fault(rawValue: name) else {
                throw SimulationError.badArgument(
                    "Unknown fault '\(name)': use \(Fault.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            faults.insert(fault)
        }
        return faults
    }
}

/// Why a simulation could not run (not a violation: those are in the report).
public enum SimulationError: Error, CustomStringConvertible {
    /// An option is wrong.
    case badArgument(String)
    /// The server or a laptop failed in a way the simulation cannot go on from.
    case failed(String)

    public var description: String {
        switch self {
        case .badArgument(let message), .failed(let message): message
        }
    }
}
