import FieldSyncModel
import Foundation

/// One change to an account, as the audit log keeps it (table `account_log`, shown by `fieldsync-server user log`).
/// The history of records names authors as they were named then; a rename's entry ties the old name to the new one.
public struct AccountLogEntry: Sendable, Codable, Equatable {
    /// When, in milliseconds since 1970.
    public let atMs: Int64
    /// The account's name at the time (for a rename, the old one).
    public let account: String
    /// What changed: added, password, role, team, territories, disabled, enabled, renamed, deleted.
    public let action: String
    /// The new value, in words.
    public let detail: String
    /// Who made the change: the operating-system user who ran the command.
    public let by: String

    /// Creates an entry.
    public init(atMs: Int64, account: String, action: String, detail: String, by: String) {
        self.atMs = atMs
        self.account = account
        self.action = action
        self.detail = detail
        self.by = by
    }
}

/// What the stores write to the account log.
enum AccountLog {
    /// The operating-system user running this process.
    static var operatorName: String {
        let environment = ProcessInfo.processInfo.environment
        if let name = environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] { return name }
        guard let entry = getpwuid(getuid()) else { return "uid \(getuid())" }
        return String(cString: entry.pointee.pw_name)
    }

    /// The entry for a new account.
    static func added(_ name: String, role: Role, team: String, territories: [String]) -> AccountLogEntry {
        entry(name, "added", "\(role.rawValue) in team \(team), territories \(territories.joined(separator: ", "))")
    }

    /// The entry for `change` to `name`.
    static func changed(_ name: String, _ change: AccountChange) -> AccountLogEntry {
        switch change {
        case .password: entry(name, "password", "new password; tokens revoked")
        case .role(let role): entry(name, "role", role.rawValue)
        case .team(let team): entry(name, "team", team)
        case .rename(let newName): entry(name, "renamed", "to \(newName); tokens revoked")
        case .delete: entry(name, "deleted", "login removed, tokens revoked; the name stays in the history")
        }
    }

    /// An entry made now by this process's user.
    static func entry(_ account: String, _ action: String, _ detail: String) -> AccountLogEntry {
        AccountLogEntry(
            atMs: Int64(Date().timeIntervalSince1970 * 1000), account: account, action: action, detail: detail,
            by: operatorName)
    }
}
