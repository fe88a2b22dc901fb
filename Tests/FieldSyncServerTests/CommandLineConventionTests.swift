import Foundation
import TestSupport
import Testing

/// The three binaries as an operator meets them: one set of exit codes (0, 1 failure, 2 usage), `--version`, a
/// suggestion for a mistyped subcommand, and an operator's mistakes refused before anything is created.
@Suite struct CommandLineConventionTests {
    static func run(_ binary: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        let outcome = try BinaryRunner.run(binary, arguments)
        return (outcome.status, outcome.output + outcome.error)
    }

    @Test(arguments: ["fieldsync", "fieldsync-server", "fieldsync-sim"])
    func everyBinaryHasAVersionExitCodesAndSuggestions(_ binary: String) throws {
        let version = try Self.run(binary, ["--version"])
        #expect(version.status == 0 && version.text.contains("\(binary) 0.") && version.text.contains("(protocol 1)"))
        let help = try Self.run(binary, ["--help"])
        let words = help.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // help wraps its lines
        #expect(help.status == 0 && words.contains("Exit codes: 0 success, 1 failure, 2 usage error."), "\(words)")
        #expect(words.contains("Example: \(binary) "), "\(help.text)")
        let wrongFlag = try Self.run(binary, ["--no-such-flag"])
        #expect(wrongFlag.status == 2, "\(wrongFlag.text)")
        // Every command's help shows an example (ArgumentParser's own `help` command aside).
        let dump = try BinaryRunner.run(binary, ["--experimental-dump-help"]).output
        let root = try JSONSerialization.jsonObject(with: Data(dump.utf8)) as? [String: Any]
        var withoutExample: [String] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let name = command["commandName"] as? String ?? "?"
            let text = (command["discussion"] as? String ?? "") + (command["abstract"] as? String ?? "")
            if name != "help" && !text.contains("Example: ") {
                withoutExample.append((path + [name]).joined(separator: " "))
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path + [name]) }
        }
        walk(root?["command"] as? [String: Any] ?? [:], [])
        #expect(withoutExample.isEmpty, "no example in the help of: \(withoutExample)")
    }

    @Test func aMistypedSubcommandGetsADidYouMean() throws {
        let client = try Self.run("fieldsync", ["custmer", "list"])
        #expect(client.status == 2 && client.text.contains("Did you mean 'customer'?"), "\(client.text)")
        let nested = try Self.run("fieldsync", ["customer", "lst"])
        #expect(nested.status == 2 && nested.text.contains("Did you mean 'list'?"), "\(nested.text)")
        let server = try Self.run("fieldsync-server", ["usr", "list"])
        #expect(server.status == 2 && server.text.contains("Did you mean 'user'?"), "\(server.text)")
        let far = try Self.run("fieldsync", ["frobnicate"])
        #expect(far.status == 2 && !far.text.contains("Did you mean"), "\(far.text)")
    }

    @Test func operatorMistakesAreRefusedBeforeAnythingIsCreated() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-conventions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

        let badPort = try Self.run("fieldsync-server", ["serve", "--db", path("a.sqlite"), "--port", "99999"])
        #expect(badPort.status == 2 && badPort.text.contains("--port"), "\(badPort.text)")
        let typo = try Self.run("fieldsync-server", ["stats", "--db", path("typo.sqlite")])
        #expect(typo.status == 1 && typo.text.contains("No database at"), "\(typo.text)")
        #expect(!exists("typo.sqlite"), "stats created a database")
        let list = try Self.run("fieldsync-server", ["user", "list", "--db", path("typo.sqlite")])
        #expect(list.status == 1 && !exists("typo.sqlite"), "\(list.text)")

        try BinaryRunner.addUser("ana", db: path("served.sqlite"))
        let server = try await BinaryRunner.Server(db: path("served.sqlite"))
        defer { server.stop() }
        // On a terminal (script(1) gives the command one), login asks for the password and does not echo it.
        let login = [try BinaryRunner.binary("fieldsync").path, "login", "--server", server.url, "--user", "ana"]
        // The password is typed two seconds later, after the prompt, as a person would.
        let typed = "(sleep 2; echo s3cret-password) | /usr/bin/script -qec '\(login.joined(separator: " "))' /dev/null"
        let prompted = try BinaryRunner.runTool(
            "/bin/sh", ["-c", typed], environment: ["FIELDSYNC_HOME": path("laptop")])
        #expect(prompted.status == 0 && prompted.output.contains("Password for ana:"), "\(prompted.output)")
        #expect(prompted.output.contains("Logged in as ana"), "\(prompted.output)")
        #expect(!prompted.output.contains("s3cret-password"), "the password was echoed: \(prompted.output)")
        let port = String(server.url.split(separator: ":").last!)
        let taken = try Self.run("fieldsync-server", ["serve", "--db", path("other.sqlite"), "--port", port])
        #expect(
            taken.status == 1 && taken.text.contains("Port \(port)") && taken.text.contains("in use"), "\(taken.text)")
        #expect(!exists("other.sqlite"), "a serve that could not listen created its database")
        let twice = try Self.run("fieldsync-server", ["serve", "--db", path("served.sqlite"), "--port", "0"])
        #expect(
            twice.status == 1 && twice.text.contains("pid \(server.process.processIdentifier)"),
            "a second serve on one SQLite file: \(twice.text)")
        let copy = try Self.run(
            "fieldsync-server", ["copy", "--from", path("served.sqlite"), "--to", path("c.sqlite")])
        #expect(copy.status == 1 && copy.text.contains("being served"), "\(copy.text)")
        #expect(!exists("c.sqlite"))
        server.stop()
        let after = try Self.run(
            "fieldsync-server", ["copy", "--from", path("served.sqlite"), "--to", path("c.sqlite")])
        #expect(after.status == 0, "once the server stopped, the copy runs: \(after.text)")
    }

    @Test func theServerLogsEveryPushAndPullAsJSONWithTheRequestID() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("server.sqlite").path
        try BinaryRunner.addUser("ana", db: db)
        let server = try await BinaryRunner.Server(
            db: db, extraArguments: ["--log-format", "json", "--log-level", "info"])
        defer { server.stop() }
        func fieldsync(_ arguments: [String]) throws {
            let outcome = try BinaryRunner.run(
                "fieldsync", arguments, stdin: "s3cret-password\n",
                environment: ["FIELDSYNC_HOME": directory.appendingPathComponent("laptop").path])
            try #require(outcome.status == 0, "\(arguments): \(outcome.error)")
        }
        try fieldsync(["login", "--server", server.url, "--user", "ana", "--password-stdin"])
        try fieldsync(["customer", "add", "温州陈氏机械", "--territory", "east"])
        try fieldsync(["sync"])
        let port = Int(server.url.split(separator: ":").last!)!
        let denied = HostileConnectionTests.answer(
            port, to: "GET /v1/conflicts HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let id = try #require(
            denied.split(separator: "\r\n").first { $0.lowercased().hasPrefix("fieldsync-request-id:") }?
                .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces),
            "no FieldSync-Request-Id in \(denied)")
        try await Task.sleep(for: .milliseconds(200))
        let lines = server.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let entries = try lines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String], "\($0)")
        }
        #expect(!entries.isEmpty && entries.allSatisfy { $0["time"] != nil && $0["level"] != nil })
        let push = try #require(entries.first { $0["message"] == "push" }, "no push line in \(server.output)")
        #expect(push["user"] == "ana" && push["applied"] == "1" && push["bytes"] != "-" && push["ms"] != nil)
        let pull = try #require(entries.first { $0["message"] == "pull" }, "no pull line in \(server.output)")
        #expect(pull["records"] == "1" && Int(pull["bytes"] ?? "") ?? 0 > 0)
        #expect(entries.contains { $0["hb.request.id"] == id }, "the denied request's id \(id) is not in the log")
        let stopping = ContinuousClock.now
        let ended = server.stop()
        #expect(ended.reason == .exit && ended.status == 0 && ContinuousClock.now - stopping < .seconds(1))
        #expect(server.output.contains("stopped: no new connections"), "\(server.output.suffix(500))")
    }

    @Test(arguments: ["sqlite", "postgres"]) func anAdministratorChangesAccounts(_ backend: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-accounts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db =
            backend == "sqlite"
            ? directory.appendingPathComponent("server.sqlite").path : try PostgresFixture.freshDatabase()
        func admin(_ arguments: [String], stdin: String? = nil) throws -> BinaryRunner.Outcome {
            try BinaryRunner.run("fieldsync-server", ["user"] + arguments + ["--db", db], stdin: stdin)
        }
        try BinaryRunner.addUser("ana", db: db)
        let server = try await BinaryRunner.Server(db: db)
        defer { server.stop() }
        func fieldsync(_ arguments: [String], stdin: String? = nil) throws -> BinaryRunner.Outcome {
            try BinaryRunner.run(
                "fieldsync", arguments, stdin: stdin,
                environment: ["FIELDSYNC_HOME": directory.appendingPathComponent("laptop").path])
        }
        func login(_ password: String, as user: String = "ana") throws -> Int32 {
            try fieldsync(
                ["login", "--server", server.url, "--user", user, "--password-stdin"], stdin: password + "\n"
            )
            .status
        }
        #expect(try login("s3cret-password") == 0)
        let passwd = try admin(
            ["passwd", "ana", "--password-stdin", "--password-iterations", "1000"], stdin: "n3w-secret\n")
        #expect(passwd.status == 0 && passwd.output.contains("tokens are revoked"), "\(passwd.error)")
        let revoked = try fieldsync(["sync"])
        #expect(revoked.status == 1, "the old session still syncs: \(revoked.output)")
        #expect(try login("s3cret-password") == 1 && login("n3w-secret") == 0)
        #expect(try admin(["set-role", "ana", "manager"]).status == 0)
        #expect(try admin(["set-team", "ana", "south"]).status == 0)
        let listed = try admin(["list", "--json"])
        let users = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]]
        #expect(users?.first?["role"] as? String == "manager" && users?.first?["team"] as? String == "south")
        #expect(try admin(["disable", "ana"]).status == 0 && login("n3w-secret") == 1)
        #expect(try admin(["enable", "ana"]).status == 0 && login("n3w-secret") == 0)
        let nobody = try admin(["set-role", "nobody", "admin"])
        #expect(nobody.status == 1 && nobody.error.contains("No user named 'nobody'"), "\(nobody.error)")
        #expect(try admin(["set-role", "ana", "king"]).status == 2)

        // A rename revokes the sessions: the laptop logs in under the new name.
        #expect(try admin(["rename", "ana", "ana.wang"]).status == 0)
        #expect(try fieldsync(["sync"]).status == 1 && login("n3w-secret") == 1)
        #expect(try login("n3w-secret", as: "ana.wang") == 0)
        // A delete needs --yes, cannot be undone, and keeps the name.
        #expect(try admin(["delete", "ana.wang"]).status == 2)
        #expect(try admin(["delete", "ana.wang", "--yes"]).status == 0 && login("n3w-secret", as: "ana.wang") == 1)
        let enable = try admin(["enable", "ana.wang"])
        #expect(enable.status == 1 && enable.error.contains("was deleted"), "\(enable.error)")
        #expect(try admin(["list"]).output.contains("deleted"))
        try BinaryRunner.addUser("bo", db: db)
        let retaken = try BinaryRunner.run(
            "fieldsync-server", ["user", "rename", "bo", "ana.wang", "--db", db])
        #expect(retaken.status == 1, "a deleted account's name was taken: \(retaken.output)")

        // Every change is in the account log, with who made it.
        let log = try admin(["log", "--json"])
        let entries = try JSONSerialization.jsonObject(with: Data(log.output.utf8)) as? [[String: Any]] ?? []
        let actions = entries.map { "\($0["account"] ?? "") \($0["action"] ?? "")" }
        #expect(
            actions == [
                "ana added", "ana password", "ana role", "ana team", "ana disabled", "ana enabled", "ana renamed",
                "ana.wang deleted", "bo added",
            ], "\(actions)")
        #expect(entries.allSatisfy { ($0["by"] as? String)?.isEmpty == false })
        #expect(try admin(["log", "ana.wang"]).output.contains("deleted"))
    }

    /// Options come from the command line, then `FIELDSYNC_SERVER_*`, then the YAML file `--config` (or
    /// `$FIELDSYNC_SERVER_CONFIG`) names; a key naming no option, an unreadable file or bad YAML is a usage error.
    @Test func optionsComeFromTheCommandLineThenTheEnvironmentThenTheConfigFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-config-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/server.yaml"
        try """
        # the deployment's database, for every subcommand
        db: \(directory)/file.sqlite
        user:
          add:
            role: rep
            team: 华东
            territory: east
            password-iterations: 1000
        """.write(toFile: config, atomically: true, encoding: .utf8)
        func add(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
            let outcome = try BinaryRunner.run(
                "fieldsync-server", ["user", "add", name, "--password-stdin"] + arguments, stdin: "s3cret-password\n",
                environment: environment)
            #expect(outcome.status == 0, "\(outcome.error)")
            return outcome.output
        }
        #expect(try add("ana", ["--config", config]).contains("team 华东"))
        _ = try add("bo", ["--config", config], environment: ["FIELDSYNC_SERVER_DB": directory + "/env.sqlite"])
        _ = try add(
            "carl", ["--config", config, "--db", directory + "/flag.sqlite", "--role", "manager"],
            environment: ["FIELDSYNC_SERVER_DB": directory + "/env.sqlite"])
        func users(_ file: String) throws -> String {
            try BinaryRunner.run("fieldsync-server", ["user", "list", "--db", directory + "/" + file]).output
        }
        #expect(try users("file.sqlite").contains("ana") && !users("file.sqlite").contains("bo"))
        #expect(try users("env.sqlite").contains("bo") && !users("env.sqlite").contains("carl"))
        #expect(try users("flag.sqlite").contains("manager"), "the command line wins over the file")
        let listed = try BinaryRunner.run(
            "fieldsync-server", ["user", "list"], environment: ["FIELDSYNC_SERVER_CONFIG": config])
        #expect(listed.status == 0 && listed.output.contains("ana"), "\(listed.error)")
        // Global options may come before the subcommand.
        let before = try BinaryRunner.run(
            "fieldsync-server", ["--db", directory + "/env.sqlite", "--json", "user", "list"])
        #expect(before.status == 0 && before.output.contains("\"bo\""), "\(before.error)")

        try "serve:\n  prot: 8420\n".write(toFile: directory + "/typo.yaml", atomically: true, encoding: .utf8)
        try "serve: [1\n".write(toFile: directory + "/broken.yaml", atomically: true, encoding: .utf8)
        for (file, says) in [
            ("typo.yaml", "unknown option 'prot' in section serve"), ("broken.yaml", "is not valid YAML"),
            ("missing.yaml", "Cannot read the config file"),
        ] {
            let refused = try BinaryRunner.run("fieldsync-server", ["stats", "--config", directory + "/" + file])
            #expect(refused.status == 2 && refused.error.contains(says), "\(file): \(refused.error)")
        }
    }
}
