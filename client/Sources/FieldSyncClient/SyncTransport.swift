import AsyncHTTPClient
import FieldSyncModel
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// How the sync engine reaches a server: HTTP in the product, anything else in tests and the simulator.
public protocol SyncTransport: Sendable {
    /// Logs in; returns the server's answer.
    func login(_ request: LoginRequest) async throws -> LoginResponse
    /// Registers another replica id for the token's user, or moves a replica's next expected seq up.
    func registerReplica(_ request: ReplicaRequest, token: String) async throws -> ReplicaResponse
    /// Pushes mutations made under schema version `schemaVersion`.
    func push(_ request: PushRequest, token: String, schemaVersion: Int) async throws -> (PushResponse, bytes: Int)
    /// Pulls one page; returns the raw JSON of a `PullResponse` (the client keeps each record's state bytes as sent).
    func pull(cursor: String, limit: Int, token: String) async throws -> Data
    /// The audit history of a record.
    func history(of record: RecordID, token: String) async throws -> HistoryResponse
    /// Revokes the token.
    func logout(token: String) async throws
}

extension SyncTransport {
    /// Pushes mutations made under the newest schema version.
    public func push(_ request: PushRequest, token: String) async throws -> (PushResponse, bytes: Int) {
        try await push(request, token: token, schemaVersion: Schema.fieldSync.version)
    }
}

/// `SyncTransport` over HTTP(S) with AsyncHTTPClient, trusting the system's certificate authorities and, when given,
/// a private CA's PEM file (`--ca-file`, `FIELDSYNC_CA_FILE`).
public struct HTTPTransport: SyncTransport {
    /// The server's base URL, e.g. `http://127.0.0.1:8420`.
    public let base: URL
    let client: HTTPClient
    let timeout: TimeInterval
    /// The laptop's wall clock, sent with every request (`ClockHeader`).
    let clock: @Sendable () -> Int64
    /// The schema version every request but a push speaks (`SchemaHeader`; a push names the version of its changes).
    public var schemaVersion = SpokenSchema.current.version

    /// Creates a transport for `server`, refusing URLs that are not http or https and CA files that cannot be read.
    public init(
        server: String, caFile: String? = nil, timeout: TimeInterval = 30,
        clock: @escaping @Sendable () -> Int64 = LocalStore.systemMilliseconds
    ) throws {
        self.clock = clock
        self.timeout = timeout
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ClientError(
                .invalidArgument, "'\(server)' is not a server URL: use http://HOST:PORT or https://HOST:PORT.")
        }
        base = url
        client = try Self.client(trusting: caFile)
    }

    /// The CA file a transport trusts when none is named: `FIELDSYNC_CA_FILE`, if set.
    public static var environmentCAFile: String? {
        ProcessInfo.processInfo.environment["FIELDSYNC_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private static let clients = NIOLockedValueBox<[String: HTTPClient]>([:])

    /// One client per CA file for the life of the process (a client is never shut down while requests may run). A
    /// failed connection fails the request at once (a dead server or an untrusted certificate is reported, not
    /// retried until the deadline): the edits stay pending and the next sync tries again.
    private static func client(trusting caFile: String?) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        var key = ""
        if let caFile = caFile ?? environmentCAFile {
            key = URL(fileURLWithPath: caFile).absoluteURL.standardizedFileURL.path
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(key)
            } catch {
                throw ClientError(
                    .invalidArgument,
                    "Cannot read certificate authorities from \(key): give a PEM file (--ca-file or FIELDSYNC_CA_FILE)."
                )
            }
            guard !roots.isEmpty else {
                throw ClientError(.invalidArgument, "\(key) holds no PEM certificate: give your team's CA certificate.")
            }
            tls.additionalTrustRoots = [.certificates(roots)]
        }
        return clients.withLockedValue { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.timeout.connect = .seconds(10)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    public func login(_ request: LoginRequest) async throws -> LoginResponse {
        try await send("POST", "v1/login", body: try JSONEncoder().encode(request)).0
    }

    public func registerReplica(_ request: ReplicaRequest, token: String) async throws -> ReplicaResponse {
        try await send("POST", "v1/replicas", token: token, body: try JSONEncoder().encode(request)).0
    }

    public func push(_ request: PushRequest, token: String, schemaVersion: Int) async throws -> (
        PushResponse, bytes: Int
    ) {
        let body = Data(request.compactJSON())
        let (response, received): (PushResponse, Int) = try await send(
            "POST", "v1/push", token: token, body: body, schemaVersion: schemaVersion)
        return (response, body.count + received)
    }

    public func pull(cursor: String, limit: Int, token: String) async throws -> Data {
        let (raw, _): (Raw, Int) = try await send("GET", "v1/pull?cursor=\(cursor)&limit=\(limit)", token: token)
        return raw.data
    }

    public func history(of record: RecordID, token: String) async throws -> HistoryResponse {
        try await send("GET", "v1/records/\(record.rawValue)/history", token: token).0
    }

    public func logout(token: String) async throws {
        let _: (Empty, Int) = try await send("POST", "v1/logout", token: token)
    }

    private struct Empty: Decodable {}

    /// A body kept as bytes.
    private struct Raw: Decodable {
        let data: Data
        init(data: Data) { self.data = data }
        init(from decoder: any Decoder) throws {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "raw"))
        }
    }

    private func send<T: Decodable>(
        _ method: String, _ path: String, token: String? = nil, body: Data? = nil, schemaVersion: Int? = nil
    ) async throws -> (T, Int) {
        var request = HTTPClientRequest(url: URL(string: path, relativeTo: base)!.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: ClockHeader.name, value: String(clock()))
        // Version 1 sends no header, as the first release did.
        if let version = Optional(schemaVersion ?? self.schemaVersion), version > 1 {
            request.headers.add(name: SchemaHeader.name, value: String(version))
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let data: Data
        let status: Int
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            status = Int(response.status.code)
            data = Data(try await response.body.collect(upTo: 256 << 20).readableBytesView)
        } catch {
            throw ClientError(
                .network,
                "Cannot reach the server at \(base.absoluteString) (\(Self.describe(error))); your edits stay pending:"
                    + " sync again later.")
        }
        guard (200..<300).contains(status) else {
            if let body = try? JSONDecoder().decode(ErrorBody.self, from: data) {
                throw ClientError(body.error.code, body.error.message)
            }
            throw ClientError(.badResponse, "The server answered HTTP \(status): try again later.")
        }
        if T.self == Empty.self { return (Empty() as! T, data.count) }
        if T.self == Raw.self { return (Raw(data: data) as! T, data.count) }
        do {
            return (try JSONDecoder().decode(T.self, from: data), data.count)
        } catch {
            throw ClientError(
                .badResponse, "The server's answer could not be read (is \(base.absoluteString) a FieldSync server?)."
            )
        }
    }

    /// A network failure in words: refused, timed out, or a certificate the laptop does not trust.
    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOSSLError {
            if case .handshakeFailed = error, "\(error)".contains("CERTIFICATE_VERIFY_FAILED") {
                return "this laptop does not trust the server's certificate; if your team runs its own certificate"
                    + " authority, log in with --ca-file CA.pem"
            }
            return "TLS failed: \(error)"
        }
        if let error = error as? BoringSSLError {
            return "the server's certificate is not trusted (\(error)): log in with --ca-file CA.pem for a private CA"
        }
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .connectTimeout {
            return "no answer in time"
        }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return describe(first.error)
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()  // "connection refused"
        }
        return "\(error)"
    }
}
