import Foundation

/// Timing and summary helpers shared by the benchmarks.
enum Stopwatch {
    /// Seconds taken by `body`.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Seconds taken by an async `body`.
    static func time(_ body: () async throws -> Void) async rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The median of `values`.
    static func median(_ values: [Double]) -> Double { percentile(values, 50) }

    /// The `p`-th percentile of `values` (nearest rank).
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// The one-minute load average, to judge how noisy a run was.
    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return .nan }
        return Double(text.split(separator: " ").first ?? "") ?? .nan
    }
}

/// One benchmark result: printed as a JSON line for tools and as a sentence for people.
struct BenchResult: Encodable {
    let workload: String
    let seconds: Double
    let opsPerSecond: Double?
    let extra: [String: Double]
    let loadAverage: Double

    func print(note: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(self), let line = String(data: data, encoding: .utf8) {
            Swift.print(line)
        }
        Swift.print("  \(workload): \(note)")
    }
}
