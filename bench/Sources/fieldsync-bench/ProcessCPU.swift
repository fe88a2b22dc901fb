import Foundation

/// The CPU time a process has used, as Linux reports it in `/proc/PID/stat` (user plus system).
struct ProcessCPU {
    /// Seconds of CPU used since the process started.
    let seconds: Double

    /// The CPU time of process `pid`; nil when it has exited or `/proc` is not there.
    init?(pid: Int32) {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        seconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
