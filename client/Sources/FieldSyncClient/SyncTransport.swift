import FieldSyncModel
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// How the sync engine reaches a server: HTTP in the product, anything else in tests and the simulator.
public protocol SyncTransport: Sendable {
    /// Logs in; returns the server's answer.
    func login(_ request: LoginRequest) async throws -> LoginResponse
    /// Registers another replica id for the token's user, or moves a replica's next expected seq up.
    func registerReplica(_ request: ReplicaRequest, token: String) async throws -> ReplicaResponse
    /// Pushes mutations.
    func push(_ request: PushRequest, token: String) async throws -> (PushResponse, bytes: Int)
    /// Pulls one page; returns the raw JSON of a `PullResponse` (the client keeps each record's state bytes as sent).
    func pull(cursor: String, limit: Int, token: String) async throws -> Data
    /// The audit history of a record.
    func history(of record: RecordID, token: String) async throws -> HistoryResponse
    /// Revokes the token.
    func logout(token: String) async throws
}

/// `SyncTransport` over HTTP(S) with Foundation's URLSession.
public struct HTTPTransport: SyncTransport {
    /// The server's base URL, e.g. `http://127.0.0.1:8420`.
    public let base: URL
    let session: URLSession
    /// The laptop's wall clock, sent with every request (`ClockHeader`).
    let clock: @Sendable () -> Int64

    /// Creates a transport for `server`, refusing URLs that are not http or https.
    public init(
        server: String, timeout: TimeInterval = 30,
        clock: @escaping @Sendable () -> Int64 = LocalStore.systemMilliseconds
    ) throws {
        self.clock = clock
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ClientError(
                .invalidArgument, "'\(server)' is not a server URL: use http://HOST:PORT or https://HOST:PORT.")
        }
        base = url
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
    }

    public func login(_ request: LoginRequest) async throws -> LoginResponse {
        try await send("POST", "v1/login", body: try JSONEncoder().encode(request)).0
    }

    public func registerReplica(_ request: ReplicaRequest, token: String) async throws -> ReplicaResponse {
        try await send("POST", "v1/replicas", token: token, body: try JSONEncoder().encode(request)).0
    }

    public func push(_ request: PushRequest, token: String) async throws -> (PushResponse, bytes: Int) {
        let body = try JSONEncoder().encode(request)
        let (response, received): (PushResponse, Int) = try await send("POST", "v1/push", token: token, body: body)
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

    private func send<T: Decodable>(_ method: String, _ path: String, token: String? = nil, body: Data? = nil)
        async throws
        -> (T, Int)
    {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(String(clock()), forHTTPHeaderField: ClockHeader.name)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw ClientError(
                .network,
                "Cannot reach the server at \(base.absoluteString) (\(error.localizedDescription)); your edits stay pending: sync again later."
            )
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
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
}
