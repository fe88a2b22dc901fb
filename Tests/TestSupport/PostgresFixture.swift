import Foundation
import Synchronization

/// A throwaway PostgreSQL server on loopback for the tests: started once per test process, one fresh database per
/// test, stopped when the process exits. If it cannot start, tests fail with a message saying what to install; they
/// never skip.
public enum PostgresFixture {
    /// Where the cluster lives and how to reach it, once started.
    private struct Cluster: Sendable {
        let directory: String
        let port: Int
        let bin: String
        let asPostgres: Bool
    }

    private static let cluster = Mutex<Result<Cluster, Failure>?>(nil)
    private static let counter = Atomic<Int>(0)

    /// Why the server could not start.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The URL of a new, empty database on the throwaway server.
    public static func freshDatabase() throws -> String {
        let cluster = try started()
        let name =
            "fieldsync_\(ProcessInfo.processInfo.processIdentifier)_\(counter.add(1, ordering: .relaxed).newValue)"
        try run(
            cluster.bin + "/createdb", ["-h", "127.0.0.1", "-p", String(cluster.port), "-U", "postgres", name],
            as: false)
        return "postgres://postgres@127.0.0.1:\(cluster.port)/\(name)"
    }

    private static func started() throws -> Cluster {
        try cluster.withLock { state in
            if state == nil {
                state = Result { try start() }.mapError { $0 as? Failure ?? Failure(description: "\($0)") }
            }
            return try state!.get()
        }
    }

    private static func start() throws -> Cluster {
        let candidates = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]
        guard let bin = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }) else {
            throw Failure(
                description: "PostgreSQL is not installed, and the PostgreSQL store tests need it: run"
                    + " `apt-get install postgresql` (version 15) and test again.")
        }
        let asPostgres = getuid() == 0
        let directory = "/tmp/fieldsync-pg-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if asPostgres { try run("/bin/chown", ["-R", "postgres:postgres", directory], as: false) }
        try run(
            bin + "/initdb", ["-D", directory + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            as: asPostgres)
        let port = freePort()
        let options =
            "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory) -c fsync=off -c full_page_writes=off"
            + " -c synchronous_commit=off -c max_connections=200"
        try run(
            bin + "/pg_ctl",
            ["-D", directory + "/data", "-o", options, "-w", "-t", "60", "-l", directory + "/log", "start"],
            as: asPostgres)
        let cluster = Cluster(directory: directory, port: port, bin: bin, asPostgres: asPostgres)
        stopAtExit.withLock { $0 = (bin, directory, asPostgres) }
        atexit {
            guard let (bin, directory, asPostgres) = PostgresFixture.stopAtExit.withLock({ $0 }) else { return }
            try? PostgresFixture.run(
                bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "stop"], as: asPostgres)
            try? FileManager.default.removeItem(atPath: directory)
        }
        return cluster
    }

    private static let stopAtExit = Mutex<(String, String, Bool)?>(nil)

    /// Runs a PostgreSQL tool, as the `postgres` user when `asPostgres` (PostgreSQL refuses to run as root).
    static func run(_ tool: String, _ arguments: [String], as asPostgres: Bool) throws {
        // Foundation notices a child's exit when every copy of a descriptor it hands the child is closed, and the
        // server that `pg_ctl start` leaves running would inherit one; so the tool runs under a shell that closes
        // every descriptor above 2 first. Output goes to a file, not a pipe, for the same reason.
        let closeInherited =
            #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; exec "$@""#
        let command = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] + arguments : [tool] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", closeInherited, "fieldsync-pg"] + command
        let outputPath = NSTemporaryDirectory() + "fieldsync-pg-tool-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        try BinaryRunner.launch(process)
        process.waitUntilExit()
        try? output.close()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw Failure(
                description: "\((tool as NSString).lastPathComponent) failed (\(process.terminationStatus)): "
                    + text.suffix(600))
        }
    }

    /// A TCP port nobody listens on right now.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
