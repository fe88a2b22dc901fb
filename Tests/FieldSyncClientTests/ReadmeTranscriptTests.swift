import Foundation
import TestSupport
import Testing

/// The README's "A day with FieldSync" is run as written, command by command, by bash in a fresh home folder with the
/// real binaries and a real server: each command must succeed and print what the README shows, ids and times matched
/// by pattern (an id the README shows stands for the one the run made, also where a later command types it).
@Suite struct ReadmeTranscriptTests {
    /// One `$ command` of the transcript and the lines it prints.
    struct Step {
        let command: String
        let expected: [String]
    }

    /// The steps of the README's first console block after `heading`.
    static func steps(under heading: String) throws -> [Step] {
        let readme = try String(
            contentsOf: PythonTools.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: heading)).upperBound
        let open = try #require(readme.range(of: "```console\n", range: section..<readme.endIndex)).upperBound
        let close = try #require(readme.range(of: "\n```\n", range: open..<readme.endIndex)).lowerBound
        var steps: [Step] = []
        var command: String?
        var output: [String] = []
        func finish() {
            if let command {
                while output.last?.isEmpty == true { output.removeLast() }
                steps.append(Step(command: command, expected: output))
            }
            (command, output) = (nil, [])
        }
        for line in readme[open..<close].split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("$ ") {
                finish()
                command = String(line.dropFirst(2))
            } else if line.hasPrefix("# "), line.dropFirst(2).first?.isWhitespace == false {
                // A comment between commands (a table's `#` column starts "#  ").
                finish()
            } else if command != nil {
                output.append(line)
            }
        }
        finish()
        return steps
    }

    /// What an expected line may differ in: record ids, times, and how long ago the last sync was.
    static let variable = try! NSRegularExpression(
        pattern: #"\b(cus|con|vis|opp|cmp|itm)-[0-9a-z]{10}\b|\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b|\(just now\)"#)

    /// Matches `actual` against `expected`, learning which run id each README id stands for; returns a problem or nil.
    static func match(_ expected: String, _ actual: String, ids: inout [String: String]) -> String? {
        let range = NSRange(expected.startIndex..., in: expected)
        var pattern = "^"
        var cursor = expected.startIndex
        var readmeIDs: [String] = []
        for found in variable.matches(in: expected, range: range) {
            let token = Range(found.range, in: expected)!
            pattern += NSRegularExpression.escapedPattern(for: String(expected[cursor..<token.lowerBound]))
            let text = String(expected[token])
            if text == "(just now)" {
                pattern += #"\((?:just now|\d+ min ago)\)"#
            } else if text.contains(" ") {
                pattern += #"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"#
            } else {
                pattern += "(\(text.prefix(3))-[0-9a-z]{10})"
                readmeIDs.append(text)
            }
            cursor = token.upperBound
        }
        pattern += NSRegularExpression.escapedPattern(for: String(expected[cursor...])) + "$"
        let regex = try! NSRegularExpression(pattern: pattern)
        guard let hit = regex.firstMatch(in: actual, range: NSRange(actual.startIndex..., in: actual)) else {
            return "expected '\(expected)', got '\(actual)'"
        }
        for (index, readmeID) in readmeIDs.enumerated() {
            let runID = String(actual[Range(hit.range(at: index + 1), in: actual)!])
            if let known = ids[readmeID], known != runID { return "\(readmeID) stood for \(known), now for \(runID)" }
            ids[readmeID] = runID
        }
        return nil
    }

    @Test func aDayWithFieldSyncRunsAsTheReadmeShowsIt() async throws {
        let steps = try Self.steps(under: "## A day with FieldSync")
        #expect(steps.count > 30, "the transcript was not found")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-day-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let binaries = try BinaryRunner.binary("fieldsync").deletingLastPathComponent().path
        var environment = [
            "HOME": home.path, "TZ": "Asia/Shanghai", "FIELDSYNC_HOME": "",
            "PATH": binaries + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]
        var server: BinaryRunner.Server?
        defer { server?.stop() }
        var ids: [String: String] = [:]
        for step in steps {
            var command = step.command
            // README ids stand for the ones this run made; the server listens where it can.
            for (readmeID, runID) in ids { command = command.replacingOccurrences(of: readmeID, with: runID) }
            if let url = server?.url { command = command.replacingOccurrences(of: "http://127.0.0.1:8420", with: url) }
            if command.hasPrefix("fieldsync-server serve") {
                // The banner is checked by ServerBinaryTests; here the server runs on a free port.
                server = try await BinaryRunner.Server(db: home.path + "/fieldsync-data/fieldsync.sqlite")
                continue
            }
            if command.hasPrefix("export ") {
                let assignment = command.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
                environment[String(assignment[0])] = String(assignment[1]).replacingOccurrences(
                    of: "~", with: home.path)
                continue
            }
            let ran = try BinaryRunner.runTool(
                "/bin/bash", ["-c", "cd \"$HOME\" && \(command)"], environment: environment)
            #expect(ran.status == 0, "$ \(command): exit \(ran.status): \(ran.error)")
            let actual =
                ran.output.isEmpty
                ? []
                : ran.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                    .dropLast(ran.output.hasSuffix("\n") ? 1 : 0)
            #expect(
                actual.count == step.expected.count,
                "$ \(command): \(step.expected.count) lines expected, got:\n\(ran.output)")
            for (line, printed) in zip(step.expected, actual) {
                let expected = line.replacingOccurrences(of: "http://127.0.0.1:8420", with: server?.url ?? "")
                if let problem = Self.match(expected, printed, ids: &ids) {
                    Issue.record("$ \(command): \(problem)")
                }
            }
        }
    }
}
