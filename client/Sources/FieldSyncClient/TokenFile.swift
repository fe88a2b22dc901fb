import Foundation

/// The bearer token, in a file only the user can read (mode 0600) inside the data directory.
public struct TokenFile: Sendable {
    /// The file's path.
    public let path: String

    /// The token file of data directory `directory`.
    public init(directory: String) {
        path = (directory as NSString).appendingPathComponent("token")
    }

    /// The stored token, if any.
    public func read() -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stores the token with mode 0600.
    public func write(_ token: String) throws {
        FileManager.default.createFile(atPath: path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// Forgets the token.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
