import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync logout`.
struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log out: revoke the token (pending edits stay).", discussion: "Example: fieldsync logout")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.store()
        if let (_, token, transport) = try? global.connection(store) { try? await transport.logout(token: token) }
        TokenFile(directory: global.directory).remove()
        try store.setSession(nil, serverHLC: nil)
        let pending = try store.status().pending
        if global.json { return try global.printJSON(LogoutJSON(loggedOut: true, pending: pending)) }
        print(
            "Logged out.\(pending > 0 ? " \(counted(pending, "edit")) \(pending == 1 ? "stays" : "stay") pending until you log in and sync." : "")"
        )
    }
}

/// What logout did (`logout --json`; protocol/cli/logout.json).
struct LogoutJSON: Encodable {
    let loggedOut: Bool
    let pending: Int
}
