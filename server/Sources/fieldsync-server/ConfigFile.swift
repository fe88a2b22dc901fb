import FieldSyncCommandLine
import Foundation
import Yams

/// `fieldsync-server`'s config file: YAML, named by `--config FILE` or `$FIELDSYNC_SERVER_CONFIG`, read into the
/// options the command line leaves out (`OptionSources`: command line, then `FIELDSYNC_SERVER_*`, then the file).
///
///     db: /var/lib/fieldsync/fieldsync.sqlite
///     serve:
///       host: 0.0.0.0
///       port: 8420
///       log-format: json
enum ConfigFile {
    /// The variable naming the file when `--config` does not.
    static let variable = "FIELDSYNC_SERVER_CONFIG"

    /// The sources for one run: takes `--config FILE` out of `arguments` and reads that file (or the one the
    /// environment names), if any.
    static func sources(_ arguments: inout [String]) throws -> OptionSources {
        let environment = ProcessInfo.processInfo.environment
        var path = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        let end = arguments.firstIndex(of: "--") ?? arguments.count
        if let index = arguments[..<end].firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) {
            if arguments[index] == "--config" {
                guard index + 1 < end else { throw OptionSources.Problem(description: "--config needs a file.") }
                path = arguments[index + 1]
                arguments.removeSubrange(index...(index + 1))
            } else {
                path = String(arguments[index].dropFirst("--config=".count))
                arguments.remove(at: index)
            }
        }
        return OptionSources(
            environmentPrefix: "FIELDSYNC_SERVER", environment: environment, config: try path.map { ($0, try read($0)) }
        )
    }

    /// The file at `path` as option trees.
    static func read(_ path: String) throws -> [String: OptionSources.Tree] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw OptionSources.Problem(description: "Cannot read the config file \(path): check the path.")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw OptionSources.Problem(description: "\(path) is not valid YAML: \(error)")
        }
        guard let document else { return [:] }  // an empty file sets nothing
        guard case .section(let sections) = try tree(document, at: path) else {
            throw OptionSources.Problem(description: "\(path): the top level must map option names to values.")
        }
        return sections
    }

    private static func tree(_ node: Any, at place: String) throws -> OptionSources.Tree {
        switch node {
        case let map as [String: Any]:
            return .section(
                try map.reduce(into: [:]) { result, entry in
                    result[entry.key] = try tree(entry.value, at: "\(place): \(entry.key)")
                })
        case let list as [Any]:
            return .list(try list.map { item in try scalar(item) ?? { throw nested(place) }() })
        default:
            guard let text = scalar(node) else { throw nested(place) }
            return .value(text)
        }
    }

    private static func scalar(_ node: Any) -> String? {
        switch node {
        case let text as String: text
        case let flag as Bool: flag ? "true" : "false"
        case let number as Int: String(number)
        case let number as Double: String(number)
        default: nil
        }
    }

    private static func nested(_ place: String) -> OptionSources.Problem {
        OptionSources.Problem(
            description: "\(place): a value here must be text, a number, true/false or a list of those.")
    }
}
