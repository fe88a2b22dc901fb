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
    /// failed, 2 on a usage error (with a "did you mean" for a mistyped subcommand).
    ///
    /// - Parameters:
    ///   - globalOptions: options every subcommand takes, by name, with whether each takes a value: given before the
    ///     subcommand (`fieldsync --data-dir X customer list`) they are read as if given after it.
    ///   - explain: the failure of the tool's own error types, as a stable code and a one-line message (printed as
    ///     `tool: message`, or under `--json` as `{"error": {"code", "message"}}`, on standard error); other errors
    ///     print as ArgumentParser words them.
    ///   - sources: where options the command line leaves out come from (`OptionSources`); it may take its own
    ///     options (`--config FILE`) out of the arguments it is given.
    public static func main(
        _ root: any ParsableCommand.Type, globalOptions: [String: Bool] = [:],
        sources: (@Sendable (inout [String]) throws -> OptionSources)? = nil,
        explain: @Sendable (any Error) -> Failure? = { _ in nil }
    ) async -> Never {
        let name = root._commandName
        let given = Array(CommandLine.arguments.dropFirst())
        var arguments = hoisting(globalOptions, in: given, of: root)
        let json = given.prefix { $0 != "--" }.contains("--json")
        func fail(_ code: String, _ message: String, status: Int32) -> Never {
            printError(json ? Failure(code: code, message: message).json : message)
            exit(status)
        }
        if let sources {
            do {
                arguments = try sources(&arguments).filling(arguments, of: root)
            } catch {
                fail("usage", "\(name): \(error)", status: 2)
            }
        }
        do {
            var command = try root.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            if let failure = (error as? CommandFailure).map({ Failure(code: "failed", message: $0.description) })
                ?? explain(error)
            {
                fail(failure.code, json ? failure.message : "\(name): \(failure.message)", status: 1)
            }
            let code = root.exitCode(for: error)
            let message = root.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            if code == .validationFailure {
                let hint = suggestion(for: arguments, in: root)
                fail("usage", message + (hint.map { "\n\($0)" } ?? ""), status: 2)
            }
            fail("failed", message, status: 1)
        }
    }

    /// A failed command as `--json` reports it.
    public struct Failure: Sendable {
        /// A stable word for what failed (`ErrorCode`'s for FieldSync's own errors, `usage`, `failed`).
        public let code: String
        /// What went wrong and what to do.
        public let message: String

        /// A failure with `code` and `message`.
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }

        /// `{"error": {"code": ..., "message": ...}}` on one line.
        var json: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let body = ["error": ["code": code, "message": message]]
            return (try? encoder.encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? message
        }
    }

    /// `arguments` with the global options found before the subcommand's name moved after the whole command path
    /// (and before a `--`), where ArgumentParser reads them.
    static func hoisting(_ globals: [String: Bool], in arguments: [String], of root: any ParsableCommand.Type)
        -> [String]
    {
        guard !globals.isEmpty, root.configuration.subcommands.isEmpty == false else { return arguments }
        var moved: [String] = []
        var rest: [String] = []
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index] != "--" {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1)[0])
            guard let takesValue = globals[name] else { break }
            moved.append(argument)
            if takesValue && !argument.contains("=") && index + 1 < arguments.count {
                index += 1
                moved.append(arguments[index])
            }
            index += 1
        }
        guard !moved.isEmpty else { return arguments }
        rest = Array(arguments[index...])
        // Before a word that names no subcommand they are dropped: the usage error is then about that word.
        let names = root.configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases }
        guard let word = rest.first, names.contains(word) else { return rest }
        let end = rest.firstIndex(of: "--") ?? rest.count
        return Array(rest[..<end]) + moved + Array(rest[end...])
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

    /// Prints `value` as the binaries' `--json` output: pretty, keys sorted, slashes as they are.
    public static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
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
