/// `POST /v1/login`: a user's credentials and the replica id of the device logging in.
public struct LoginRequest: Codable, Sendable {
    /// The user name.
    public let user: String
    /// The password.
    public let password: String
    /// The device's replica id; registered to this user on first login and refused for anyone else.
    public let replica: ReplicaID
    /// The first seq the replica will push (absent: 1). A laptop that took a new replica id keeps numbering where
    /// it was.
    public let firstSeq: UInt64?

    /// Creates a login request.
    public init(user: String, password: String, replica: ReplicaID, firstSeq: UInt64? = nil) {
        self.user = user
        self.password = password
        self.replica = replica
        self.firstSeq = firstSeq
    }
}

/// The answer to a successful login: a bearer token bound to the user and the replica.
public struct LoginResponse: Codable, Sendable {
    /// The bearer token for `Authorization: Bearer …`; the server keeps only its hash.
    public let token: String
    /// When the token expires, in milliseconds since 1970.
    public let expiresAtMs: Int64
    /// The user name.
    public let user: String
    /// The user's role.
    public let role: Role
    /// The user's team.
    public let team: String
    /// The territories the user works in.
    public let territories: [String]
    /// The replica the token is bound to.
    public let replica: ReplicaID
    /// The server's clock.
    public let hlc: HLCTimestamp
    /// The server's identity: it changes when the server is restored from a backup.
    public let generation: String?

    /// Creates a login response.
    public init(
        token: String, expiresAtMs: Int64, user: String, role: Role, team: String, territories: [String],
        replica: ReplicaID, hlc: HLCTimestamp, generation: String? = nil
    ) {
        self.generation = generation
        self.token = token
        self.expiresAtMs = expiresAtMs
        self.user = user
        self.role = role
        self.team = team
        self.territories = territories
        self.replica = replica
        self.hlc = hlc
    }
}

/// `POST /v1/replicas`: registers another replica id for the token's user (a laptop whose data folder was copied or
/// restored takes a new one), or moves a replica's next expected seq up to `firstSeq`.
public struct ReplicaRequest: Codable, Sendable {
    /// The replica id.
    public let replica: ReplicaID
    /// The first seq the replica will push next; seqs below it are never sent.
    public let firstSeq: UInt64

    /// Creates a replica request.
    public init(replica: ReplicaID, firstSeq: UInt64) {
        self.replica = replica
        self.firstSeq = firstSeq
    }
}

/// The answer to `POST /v1/replicas`.
public struct ReplicaResponse: Codable, Sendable {
    /// The replica id.
    public let replica: ReplicaID
    /// The last seq the server held of it before this request (0 for a new replica): below what the laptop had
    /// synced and no longer keeps, those changes are lost.
    public let heldSeq: UInt64
    /// The last seq the server holds of it now (the next push starts after it).
    public let lastSeq: UInt64
    /// The server's identity.
    public let generation: String

    /// Creates a replica response.
    public init(replica: ReplicaID, heldSeq: UInt64, lastSeq: UInt64, generation: String) {
        self.replica = replica
        self.heldSeq = heldSeq
        self.lastSeq = lastSeq
        self.generation = generation
    }
}

/// The body of every error response: a stable code and a message that says what to do.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// The error itself.
    public struct Detail: Codable, Sendable, Equatable {
        /// A stable, machine-readable code (see protocol/PROTOCOL.md).
        public let code: ErrorCode
        /// What happened and what to do.
        public let message: String
    }

    /// The error.
    public let error: Detail

    /// Creates an error body.
    public init(code: ErrorCode, message: String) {
        self.error = Detail(code: code, message: message)
    }
}
