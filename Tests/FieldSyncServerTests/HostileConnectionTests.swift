import FieldSyncModel
import Foundation
import Glibc
import TestSupport
import Testing

/// The real server process under hostile connections, a full disk and a private CA (issue 13).
@Suite struct HostileConnectionTests {
    /// A blocking TCP connection to 127.0.0.1:`port`, or -1; connecting, sending and each read give up after 10 s,
    /// so a server that stops answering fails the test instead of hanging it. Close-on-exec: a process another test
    /// starts at that moment must not inherit it and hold the connection open after the test closes it.
    static func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(fd, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return -1
        }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the server has closed `fd` (a read returns end of file or an error without waiting).
    static func isClosedByServer(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { continue }
            return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }

    /// One `GET /healthz` on a new connection; the time to the whole answer, and the answer.
    static func health(_ port: Int) -> (ms: Double, text: String) {
        let started = ContinuousClock.now
        let text = answer(port, to: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return (ms, text)
    }

    /// Hostile connections held open by the test: over twice the server's 256 descriptors, and few enough that this
    /// test process stays well under about 1,300 open descriptors. With more, Foundation's `Process.run` on Linux
    /// (Swift 6.3.1) can crash a concurrent launch: it reads /proc/self/fd with a 256-byte over-read of each entry
    /// (swift-corelibs-foundation PR 5472), which faults once the listing fills glibc's 32 KiB buffer.
    static let hostileCount = 600

    @Test func healthAnswersFastWhileHundredsOfHostileConnectionsAreOpen() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = try await BinaryRunner.Server(
            db: directory.appendingPathComponent("server.sqlite").path,
            extraArguments: ["--idle-timeout", "2", "--header-timeout", "2", "--body-timeout", "2"],
            descriptorLimit: 256)
        defer { server.stop() }
        let port = Int(server.url.split(separator: ":").last!)!
        var hostile: [Int32] = []
        defer { for fd in hostile { close(fd) } }
        for index in 0..<Self.hostileCount {
            let fd = Self.connect(port)
            guard fd >= 0 else { continue }
            switch index % 3 {
            case 0: break  // silent
            case 1: Self.send(fd, "GET /hea")  // a head trickling in
            default: Self.send(fd, "POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")  // no body
            }
            hostile.append(fd)
        }
        #expect(hostile.count == Self.hostileCount)
        var times: [Double] = []
        for _ in 0..<20 {
            let (ms, text) = Self.health(port)
            #expect(text.contains(#"{"status":"ok"}"#), "\(text)")
            times.append(ms)
        }
        times.sort()
        testOutput(
            "hostile connections: \(hostile.count) open against a 256-descriptor server; /healthz median \(Int(times[10])) ms,"
                + " p95 \(Int(times[18])) ms")
        #expect(times[18] < 100, "healthz times \(times)")
        try await Task.sleep(for: .seconds(5))
        let closed = hostile.filter(Self.isClosedByServer).count
        #expect(closed == hostile.count, "\(closed) of \(hostile.count) hostile connections closed by the server")
        #expect(Self.health(port).text.contains(#"{"status":"ok"}"#))
    }

    /// What the server answers on a new connection to `request`, read until it closes.
    static func answer(_ port: Int, to request: String) -> String {
        let fd = connect(port)
        defer { close(fd) }
        send(fd, request)
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test func requestsThatAreNotHTTPGetA400WithTheErrorBody() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-framing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = try await BinaryRunner.Server(db: directory.appendingPathComponent("server.sqlite").path)
        defer { server.stop() }
        let port = Int(server.url.split(separator: ":").last!)!
        for request in [
            "HELLO\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
            "POST /v1/push HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
            "POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\nhello",
        ] {
            let text = Self.answer(port, to: request)
            #expect(text.hasPrefix("HTTP/1.1 400"), "\(request.debugDescription): \(text)")
            #expect(text.contains(#""code":"bad_request""#), "\(request.debugDescription): \(text)")
        }
        #expect(Self.health(port).text.contains(#"{"status":"ok"}"#))
    }

    @Test func aFullDiskAnswers503AndWritesResumeWhenSpaceReturns() async throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        let mounted = try BinaryRunner.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.path])
        try #require(mounted.status == 0, "mount a 4 MB tmpfs: \(mounted.error)")
        defer {
            _ = try? BinaryRunner.runTool("/bin/umount", [mount.path])
            try? FileManager.default.removeItem(at: mount)
        }
        let db = mount.appendingPathComponent("server.sqlite").path
        try BinaryRunner.addUser("ana", db: db)
        let server = try await BinaryRunner.Server(db: db)
        defer { server.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-full-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        func fieldsync(_ arguments: [String], stdin: String? = nil) throws -> BinaryRunner.Outcome {
            try BinaryRunner.run("fieldsync", arguments, stdin: stdin, environment: ["FIELDSYNC_HOME": home.path])
        }
        _ = try fieldsync(
            ["login", "--server", server.url, "--user", "ana", "--password-stdin"], stdin: "s3cret-password\n")
        _ = try fieldsync(["customer", "add", "温州陈氏机械", "--territory", "east"])
        #expect(try fieldsync(["sync"]).status == 0)
        let filler = mount.appendingPathComponent("filler")
        FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        let block = Data(repeating: 0x55, count: 64 << 10)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()
        let note = String(repeating: "拜访记录", count: 900)
        var refused: BinaryRunner.Outcome?
        for _ in 0..<20 {
            for _ in 0..<10 { _ = try fieldsync(["note", "add", "温州陈氏机械", note]) }
            let sync = try fieldsync(["sync"])
            if sync.status != 0 {
                refused = sync
                break
            }
        }
        let answer = try #require(refused, "the disk never filled")
        #expect(
            answer.error.contains("storage_unavailable") || answer.error.contains("cannot write"), "\(answer.error)")
        #expect(Self.health(Int(server.url.split(separator: ":").last!)!).text.contains("storage_unavailable"))
        try FileManager.default.removeItem(at: filler)
        #expect(Self.health(Int(server.url.split(separator: ":").last!)!).text.contains(#"{"status":"ok"}"#))
        let resumed = try fieldsync(["sync"])
        #expect(resumed.status == 0, "\(resumed.output) \(resumed.error)")
        let status = try fieldsync(["status"])
        #expect(status.output.contains("pending    0"), "\(status.output)")
    }

    @Test func theClientTrustsAPrivateCAGivenAtLogin() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-ca-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("server.sqlite").path
        try BinaryRunner.addUser("ana", db: db)
        let server = try await BinaryRunner.Server(
            db: db,
            extraArguments: [
                "--tls-cert", fixtures.appendingPathComponent("test-cert.pem").path,
                "--tls-key", fixtures.appendingPathComponent("test-key.pem").path,
            ])
        defer { server.stop() }
        func fieldsync(_ laptop: String, _ arguments: [String], environment: [String: String] = [:])
            throws -> BinaryRunner.Outcome
        {
            try BinaryRunner.run(
                "fieldsync", arguments, stdin: "s3cret-password\n",
                environment: ["FIELDSYNC_HOME": directory.appendingPathComponent(laptop).path].merging(environment) {
                    $1
                })
        }
        let login = ["login", "--server", server.url, "--user", "ana", "--password-stdin"]
        let untrusted = try fieldsync("a", login)
        #expect(untrusted.status != 0 && untrusted.error.contains("--ca-file"), "\(untrusted.error)")
        let ca = fixtures.appendingPathComponent("test-ca.pem").path
        let trusted = try fieldsync("b", login + ["--ca-file", ca])
        #expect(trusted.status == 0, "\(trusted.error)")
        _ = try fieldsync("b", ["customer", "add", "杭州客户", "--territory", "east"])
        let sync = try fieldsync("b", ["sync"])
        #expect(sync.status == 0, "the session keeps the CA: \(sync.error)")
        let viaEnvironment = try fieldsync("c", login, environment: ["FIELDSYNC_CA_FILE": ca])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.error)")
    }
}
