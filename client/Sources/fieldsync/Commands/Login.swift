import ArgumentParser
import FieldSyncClient
import FieldSyncCommandLine
import FieldSyncModel
import Foundation

/// `fieldsync login --server URL --user NAME --password-stdin`.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log this laptop in to a FieldSync server.",
        discussion: """
            Asks for the password on the terminal (not echoed), or reads it from standard input with \
            --password-stdin for scripts.

            Example: fieldsync login --server https://sync.example.com --user ana
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Server URL, e.g. http://127.0.0.1:8420.") var server: String
    @Option(help: "Your user name.") var user: String
    @Flag(help: "Read the password from standard input (without it, login asks for it on the terminal).")
    var passwordStdin = false
    @Option(
        help: ArgumentHelp(
            "PEM file of a private certificate authority to trust for this server (kept with the session).",
            discussion: "Without it, FIELDSYNC_CA_FILE is used when set, then the system's authorities."))
    var caFile: String?

    func validate() throws {
        try PasswordPrompt.checkSource(fromStdin: passwordStdin)
    }

    func run() async throws {
        let password = PasswordPrompt.password(fromStdin: passwordStdin, prompt: "Password for \(user): ")
        let store = try global.store()
        let caFile = (caFile ?? HTTPTransport.environmentCAFile).map {
            URL(fileURLWithPath: $0).absoluteURL.standardizedFileURL.path
        }
        let transport = try HTTPTransport(server: server, caFile: caFile)
        let response = try await transport.login(try store.loginRequest(user: user, password: password))
        try TokenFile(directory: global.directory).write(response.token)
        try store.startSession(response, server: server, caFile: caFile)
        if global.json {
            return try global.printJSON([
                "user": response.user, "role": response.role.rawValue, "replica": try store.replica.rawValue,
            ])
        }
        print(
            "Logged in as \(response.user) (\(response.role.rawValue), territories \(response.territories.joined(separator: ", "))) on \(server)"
        )
    }
}
