import Foundation

/// A process's memory as Linux reports it in `/proc/PID/status`, in megabytes (MiB).
struct ProcessMemory {
    /// Resident now (`VmRSS`).
    let residentMB: Double
    /// The most it has been resident since it started (`VmHWM`).
    let peakMB: Double

    /// The memory of process `pid`; nil when it has exited or `/proc` is not there.
    init?(pid: Int32) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let kilobytes = { (key: String) -> Double? in
            status.split(separator: "\n").first { $0.hasPrefix(key + ":") }
                .flatMap { line in Double(line.split(separator: " ").dropFirst().first ?? "") }
        }
        guard let resident = kilobytes("VmRSS"), let peak = kilobytes("VmHWM") else { return nil }
        residentMB = resident / 1024
        peakMB = peak / 1024
    }
}
