import ArgumentParser
import Foundation

/// How FieldSync's binaries (`fieldsync`, `fieldsync-server`, `fieldsync-sim`) behave on the command line: one
/// version line, one set of exit codes, and a suggestion for a mistyped subcommand.
public enum CommandLineTool {
    /// The release of the binaries.
    public static let release = "0.13.0"
    /// The wire protocol version they speak (protocol/PROTOCOL.md).
    public static let protocolVersion = 1
    /// The exit-code sentence every root help page carries.
    public static let exitCodes = "Exit codes: 0 success, 1 failure, 2 usage error."

    /// What `--version` prints for `tool`.
    public static func version(of tool: String) -> String { "\(tool) \(release) (protocol \(protocolVersion))" }

    /// Parses the command line and runs the chosen command of `root`, then exits: 0 on success, 1 when the command
    /// failed, 2 on a usage error (with a "did you mean" for a mistyped subcommand). `explain` gives the one-line
    /// message of the tool's own error types (printed as `tool: message`); other errors print as ArgumentParser
    /// words them.
    public static func main(
        _ root: any ParsableCommand.Type, explain: @Sendable (any Error) -> String? = { _ in nil }
    ) async
        -> Never
    {
        let name = root._commandName
        do {
            var command = try root.parseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            if let message = (error as? CommandFailure)?.description ?? explain(error) {
                printError("\(name): \(message)")
                exit(1)
            }
            let code = root.exitCode(for: error)
            let message = root.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            if code == .validationFailure {
                let hint = suggestion(for: Array(CommandLine.arguments.dropFirst()), in: root)
                printError(message + (hint.map { "\n\($0)" } ?? ""))
                exit(2)
            }
            if !message.isEmpty { printError(message) }
            exit(1)
        }
    }

    /// "Did you mean 'customer'?" when a word where a subcommand belongs is close to one (edit distance, or a
    /// prefix); nil when every word names a subcommand or nothing is close.
    public static func suggestion(for arguments: [String], in root: any ParsableCommand.Type) -> String? {
        var command = root
        var skipValue = false
        for argument in arguments {
            if skipValue {
                skipValue = false
                continue
            }
            if argument.hasPrefix("-") {
                skipValue = !argument.contains("=") && argument.hasPrefix("--")
                continue
            }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            if let next = subcommands.first(where: {
                $0._commandName == argument || $0.configuration.aliases.contains(argument)
            }) {
                command = next
                continue
            }
            let names = subcommands.map { $0._commandName }
            let closest = names.min { distance($0, argument) < distance($1, argument) }
            let close = closest.flatMap { distance($0, argument) <= max(1, argument.count / 3) ? $0 : nil }
            let prefixed = names.first { argument.count >= 2 && $0.hasPrefix(argument) }
            return (close ?? prefixed).map { "Did you mean '\($0)'? (\(root._commandName) --help lists the commands.)" }
        }
        return nil
    }

    /// The edit distance between two words (insertions, deletions, substitutions).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Writes `text` and a line feed to standard error.
    public static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A command that could not do its work (exit status 1, no usage text): the message says what to do.
public struct CommandFailure: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public let description: String

    /// A failure saying `description`.
    public init(_ description: String) { self.description = description }
}
