import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// `fieldsync logout`.
struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log out: revoke the token (pending edits stay).")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.store()
        if let (_, token, transport) = try? global.connection(store) { try? await transport.logout(token: token) }
        TokenFile(directory: global.directory).remove()
        try store.setSession(nil, serverHLC: nil)
        let pending = try store.status().pending
        print(
            "Logged out.\(pending > 0 ? " \(counted(pending, "edit")) \(pending == 1 ? "stays" : "stay") pending until you log in and sync." : "")"
        )
    }
}
