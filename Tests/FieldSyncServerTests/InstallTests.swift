import Foundation
import TestSupport
import Testing

/// `scripts/install.sh` as an operator runs it, into a staging root: binaries, a hardened systemd unit that
/// `systemd-analyze` accepts, a default config the server reads, man pages that cover every command and option of
/// the binaries built now, and shell completions.
@Suite struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every subcommand name and long option of `binary`, from ArgumentParser's description of it.
    static func words(of binary: URL) throws -> Set<String> {
        let dump = try BinaryRunner.runTool(binary.path, ["--experimental-dump-help"])
        let document = try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any]
        var words = Set<String>()
        func walk(_ command: [String: Any]) {
            if let name = command["commandName"] as? String { words.insert(name) }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                if let name = (argument["preferredName"] as? [String: Any])?["name"] as? String,
                    (argument["preferredName"] as? [String: Any])?["kind"] as? String == "long",
                    argument["shouldDisplay"] as? Bool != false
                {
                    words.insert("-" + name)  // mdoc writes --name as "Fl -name"
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub) }
        }
        walk(document?["command"] as? [String: Any] ?? [:])
        return words
    }

    @Test func theInstallScriptPutsEverythingInPlace() throws {
        let stage = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-install-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let binaries = try BinaryRunner.binary("fieldsync").deletingLastPathComponent().path
        let script = Self.repository.appendingPathComponent("scripts/install.sh").path
        let arguments = [
            script, "--no-build", "--bin-dir", binaries, "--prefix", stage + "/usr", "--sysconfdir", stage + "/etc",
        ]
        let installed = try BinaryRunner.runTool("/bin/sh", arguments)
        try #require(installed.status == 0, "\(installed.output)\(installed.error)")
        let files = FileManager.default
        for tool in ["fieldsync", "fieldsync-server", "fieldsync-sim"] {
            let binary = URL(fileURLWithPath: "\(stage)/usr/bin/\(tool)")
            #expect(try BinaryRunner.runTool(binary.path, ["--version"]).output.contains("(protocol 1)"))
            let page = try String(contentsOfFile: "\(stage)/usr/share/man/man1/\(tool).1", encoding: .utf8)
            let missing = try Self.words(of: binary).filter { !page.contains($0) }.sorted()
            #expect(missing.isEmpty, "\(tool).1 lacks \(missing): run scripts/make-man.sh")
            for completion in [
                "share/bash-completion/completions/\(tool)", "share/zsh/site-functions/_\(tool)",
                "share/fish/vendor_completions.d/\(tool).fish",
            ] {
                let text = try String(contentsOfFile: "\(stage)/usr/\(completion)", encoding: .utf8)
                #expect(text.contains(tool) && text.count > 500, "\(completion)")
            }
        }

        // The unit: systemd accepts it, and its exposure stays low.
        let unit = "\(stage)/usr/lib/systemd/system/fieldsync-server.service"
        let unitText = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(unitText.contains("ExecStart=\(stage)/usr/bin/fieldsync-server serve --config \(stage)/etc/fieldsync"))
        let verify = try BinaryRunner.runTool(
            "/usr/bin/systemd-analyze", ["verify", unit], environment: ["MANPATH": stage + "/usr/share/man"])
        #expect(verify.status == 0, "systemd-analyze verify: \(verify.output)\(verify.error)")
        let security = try BinaryRunner.runTool("/usr/bin/systemd-analyze", ["security", "--offline=yes", unit])
        let exposure = security.output.split(separator: "\n").last { $0.contains("Overall exposure level") }
            .flatMap { line in line.split(separator: " ").compactMap { Double($0) }.first }
        #expect((exposure ?? 10) <= 2.0, "exposure \(exposure.map { "\($0)" } ?? "?"): \(security.output.suffix(400))")

        // The default config is one the server reads (its database is not there yet: a failure, not a usage error).
        let config = "\(stage)/etc/fieldsync/server.yaml"
        let stats = try BinaryRunner.runTool("\(stage)/usr/bin/fieldsync-server", ["stats", "--config", config])
        #expect(stats.status == 1 && stats.error.contains("/var/lib/fieldsync/fieldsync.sqlite"), "\(stats.error)")
        // Installing again keeps an edited config.
        try "db: /srv/fieldsync.sqlite\n".write(toFile: config, atomically: true, encoding: .utf8)
        let again = try BinaryRunner.runTool("/bin/sh", arguments)
        #expect(again.status == 0 && again.output.contains("kept \(config)"))
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "db: /srv/fieldsync.sqlite\n")
        #expect(files.fileExists(atPath: "\(stage)/usr/bin/fieldsync"))
    }
}
