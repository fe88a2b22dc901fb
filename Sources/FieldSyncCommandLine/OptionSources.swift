import ArgumentParser
import Foundation

/// Where the options a command line leaves out come from, in this order: the command line, then an environment
/// variable (`PREFIX_` and the option's name in capitals, dashes as underscores: `FIELDSYNC_SERVER_MAX_BODY_BYTES`),
/// then a config file, then the option's default.
///
/// A config file maps option names (as on the command line, without dashes) to values; a section named after a
/// subcommand (`serve:`, `user:` then `add:`) holds options for it alone, and its values win over the file's top
/// level. A key that names no option of any subcommand is an error, so a typo never goes unnoticed. A list gives a
/// repeatable option several times; `true` turns a flag on.
public struct OptionSources: Sendable {
    /// A config file's contents: text values, lists and sections.
    public indirect enum Tree: Sendable, Equatable {
        /// A value, as text.
        case value(String)
        /// A list of values (a repeatable option).
        case list([String])
        /// A section: names to trees.
        case section([String: Tree])
    }

    /// The prefix of the environment variables (`FIELDSYNC_SERVER`).
    public let environmentPrefix: String
    /// The environment to read.
    public let environment: [String: String]
    /// The config file's contents, if one was given, and its path (for messages).
    public let config: (path: String, tree: [String: Tree])?

    /// Sources reading `environment` under `environmentPrefix`, and `config` if given.
    public init(
        environmentPrefix: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        config: (path: String, tree: [String: Tree])? = nil
    ) {
        self.environmentPrefix = environmentPrefix
        self.environment = environment
        self.config = config
    }

    /// A misnamed key in the config file, or a config file that cannot be read.
    public struct Problem: Error, CustomStringConvertible {
        /// What is wrong and what to do.
        public let description: String

        /// A problem saying `description`.
        public init(description: String) { self.description = description }
    }

    /// One option of a command, from ArgumentParser's description of it.
    struct Option {
        let name: String
        let isFlag: Bool
        let isRepeating: Bool
    }

    /// `arguments` with every option of the chosen subcommand that they leave out added from the environment or the
    /// config file. Throws `Problem` for a config key that names no option.
    public func filling(_ arguments: [String], of root: any ParsableCommand.Type) throws -> [String] {
        let tree = try Self.commands(of: root)
        if let config { try Self.check(config.tree, against: tree, path: [], file: config.path) }
        // The subcommand path the arguments name, and the options of its last command.
        var node = tree
        var path: [String] = []
        for argument in arguments where !argument.hasPrefix("-") {
            guard let next = node.subcommands[argument] else { break }
            node = next
            path.append(argument)
        }
        guard !path.isEmpty else { return arguments }
        let given = Set(
            arguments.prefix { $0 != "--" }.filter { $0.hasPrefix("--") }.map {
                String($0.dropFirst(2).split(separator: "=", maxSplits: 1)[0])
            })
        var added: [String] = []
        for option in node.options where !given.contains(option.name) {
            let key = environmentPrefix + "_" + option.name.uppercased().replacingOccurrences(of: "-", with: "_")
            let value: Tree? = environment[key].map(Tree.value) ?? configValue(option.name, path: path)
            switch value {
            case .value(let text) where option.isFlag:
                if ["true", "1", "yes", "on"].contains(text.lowercased()) { added.append("--\(option.name)") }
            case .value(let text):
                added += ["--\(option.name)", text]
            case .list(let items) where option.isRepeating:
                for item in items { added += ["--\(option.name)", item] }
            case .list, .section:
                throw Problem(
                    description: "\(config?.path ?? "config"): '\(option.name)' takes one value, not a list or section."
                )
            case nil:
                break
            }
        }
        guard !added.isEmpty else { return arguments }
        let end = arguments.firstIndex(of: "--") ?? arguments.count
        return Array(arguments[..<end]) + added + Array(arguments[end...])
    }

    /// The innermost value for `name` along `path` in the config file.
    private func configValue(_ name: String, path: [String]) -> Tree? {
        guard var section = config?.tree else { return nil }
        var found = section[name].flatMap { Self.isSection($0) ? nil : $0 }
        for word in path {
            guard case .section(let inner)? = section[word] else { break }
            section = inner
            if let value = section[name], !Self.isSection(value) { found = value }
        }
        return found
    }

    private static func isSection(_ tree: Tree) -> Bool {
        if case .section = tree { return true }
        return false
    }

    /// A command with its options and subcommands.
    struct Command {
        var options: [Option] = []
        var subcommands: [String: Command] = [:]

        /// Every option name of this command and the commands under it.
        var allOptionNames: Set<String> {
            Set(options.map(\.name)).union(subcommands.values.flatMap(\.allOptionNames))
        }
    }

    /// The command tree of `root`, from ArgumentParser's own description of it (`--experimental-dump-help`).
    static func commands(of root: any ParsableCommand.Type) throws -> Command {
        guard let data = root._dumpHelp().data(using: .utf8),
            let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let command = document["command"] as? [String: Any]
        else { throw Problem(description: "ArgumentParser's description of \(root._commandName) could not be read.") }
        return parse(command)
    }

    private static func parse(_ json: [String: Any]) -> Command {
        var command = Command()
        for argument in json["arguments"] as? [[String: Any]] ?? [] {
            let kind = argument["kind"] as? String
            guard kind == "option" || kind == "flag",
                let preferred = argument["preferredName"] as? [String: Any],
                preferred["kind"] as? String == "long", let name = preferred["name"] as? String,
                !["help", "version", "experimental-dump-help"].contains(name)
            else { continue }
            command.options.append(
                Option(name: name, isFlag: kind == "flag", isRepeating: argument["isRepeating"] as? Bool ?? false))
        }
        for sub in json["subcommands"] as? [[String: Any]] ?? [] {
            if let name = sub["commandName"] as? String { command.subcommands[name] = parse(sub) }
        }
        return command
    }

    /// Refuses config keys that name no option (of the section's command or anything under it) or subcommand.
    static func check(_ tree: [String: Tree], against command: Command, path: [String], file: String) throws {
        let options = command.allOptionNames
        for (key, value) in tree.sorted(by: { $0.key < $1.key }) {
            if let sub = command.subcommands[key], case .section(let inner) = value {
                try check(inner, against: sub, path: path + [key], file: file)
            } else if !options.contains(key) {
                let place = path.isEmpty ? "" : " in section \(path.joined(separator: " "))"
                let known = options.sorted().joined(separator: ", ")
                throw Problem(description: "\(file): unknown option '\(key)'\(place); the options are: \(known).")
            }
        }
    }
}
