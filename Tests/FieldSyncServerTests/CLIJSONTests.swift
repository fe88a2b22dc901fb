import Foundation
import TestSupport
import Testing

/// `fieldsync --json`: every command's output follows its schema in protocol/cli (version 1), and a failure is
/// `{"error": {"code", "message"}}` on standard error with the exit code. Real binaries, a real server, real data
/// folders; the global options come before the subcommand, as people type them.
@Suite struct CLIJSONTests {
    /// The CLI's schemas and the protocol's they refer to.
    static func schemas() throws -> SchemaChecker {
        try SchemaChecker(
            directory: protocolDirectory.appendingPathComponent("cli"),
            protocolDirectory.appendingPathComponent("schemas"))
    }

    /// Runs `fieldsync --data-dir LAPTOP --json ARGUMENTS`, expects exit 0 and output matching `schema`; returns it.
    @discardableResult
    static func json(_ laptop: String, _ arguments: [String], _ schema: String, stdin: String? = nil) throws
        -> JSONValue
    {
        let outcome = try BinaryRunner.run("fieldsync", ["--data-dir", laptop, "--json"] + arguments, stdin: stdin)
        try #require(outcome.status == 0, "fieldsync \(arguments.joined(separator: " ")): \(outcome.error)")
        guard let value = try? JSONValue.parse(Data(outcome.output.utf8)) else {
            throw Unexpected("fieldsync \(arguments.joined(separator: " ")) printed no JSON: \(outcome.output)")
        }
        let problems = try schemas().check(value, against: schema)
        #expect(problems.isEmpty, "fieldsync \(arguments.joined(separator: " ")) against \(schema): \(problems)")
        return value
    }

    struct Unexpected: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func id(_ value: JSONValue) throws -> String {
        guard case .object(let members) = value, case .string(let id) = members["id"] else {
            throw Unexpected("no id in \(value)")
        }
        return id
    }

    @Test func everyCommandsJSONFollowsItsSchema() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-json-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = directory + "/server.sqlite"
        try BinaryRunner.addUser("ana", db: db)
        try BinaryRunner.addUser("carl", db: db)
        try BinaryRunner.addUser("mia", db: db, role: "manager", territory: "hq")
        let server = try await BinaryRunner.Server(db: db)
        defer { server.stop() }
        let (ana, carl) = (directory + "/ana", directory + "/carl")
        for (laptop, user) in [(ana, "ana"), (carl, "carl")] {
            try Self.json(
                laptop, ["login", "--server", server.url, "--user", user, "--password-stdin"], "login.json",
                stdin: "s3cret-password\n")
        }

        let card = try Self.id(
            Self.json(ana, ["customer", "add", "杭州客户", "--territory", "east", "--tag", "vip"], "created.json"))
        try Self.json(ana, ["customer", "edit", card, "--set", "phone=0571-1"], "saved.json")
        try Self.json(ana, ["note", "add", card, "见面谈了新的报价"], "saved.json")
        let deal = try Self.id(
            Self.json(ana, ["opp", "add", "年度框架", "--customer", card, "--amount", "12999.50 CNY"], "created.json"))
        try Self.json(ana, ["visit", "plan", "--customer", card, "--at", "2026-12-03T09:00:00Z"], "created.json")
        try Self.json(ana, ["sync", "--dry-run"], "pending.json")
        try Self.json(ana, ["sync"], "sync.json")
        try Self.json(carl, ["sync"], "sync.json")
        // Both edit the phone offline: a conflict. Ana also names carl the owner, which only a manager may do.
        try Self.json(carl, ["customer", "edit", card, "--set", "phone=0571-2"], "saved.json")
        try Self.json(ana, ["customer", "edit", card, "--set", "phone=0571-3"], "saved.json")
        try Self.json(ana, ["customer", "edit", card, "--set", "owner=carl"], "saved.json")
        try Self.json(carl, ["sync"], "sync.json")
        try Self.json(ana, ["sync"], "sync.json")

        let conflicts = try Self.json(ana, ["conflicts"], "conflicts.json")
        guard case .array(let listed) = conflicts, case .object(let first)? = listed.first,
            case .string(let conflictID)? = first["id"]
        else { throw Unexpected("no conflict listed: \(conflicts)") }
        try Self.json(ana, ["conflicts", "show", conflictID], "conflict.json")
        let rejected = try Self.json(ana, ["rejected"], "rejected.json")
        #expect(rejected != .array([]), "the owner change was not refused")
        try Self.json(ana, ["customer", "show", card], "card.json")
        try Self.json(ana, ["opp", "show", deal], "record.json")
        try Self.json(ana, ["search", "杭州"], "search.json")
        try Self.json(ana, ["customer", "list"], "records.json")
        try Self.json(ana, ["opp", "list"], "records.json")
        try Self.json(ana, ["export", "customer", "--format", "json"], "records.json")
        try Self.json(ana, ["status"], "status.json")
        try Self.json(ana, ["history", card], "history.json")
        try Self.json(ana, ["pipeline"], "pipeline.json")
        try Self.json(ana, ["pipeline", "--by", "rep"], "pipeline.json")
        try Self.json(ana, ["review", "--stale-days", "0"], "review.json")
        try Self.json(ana, ["visits"], "visits.json")
        try Self.json(ana, ["fields"], "fields.json")
        try Self.json(ana, ["retention"], "retention.json")
        try Self.json(ana, ["conflicts", "resolve", conflictID, "--take", "1"], "saved.json")
        guard case .array(let refused) = rejected, case .object(let entry)? = refused.first,
            case .integer(let refusedSeq)? = entry["seq"]
        else { throw Unexpected("no refused change: \(rejected)") }
        try Self.json(ana, ["rejected", "edit", String(refusedSeq), "--set", "phone=0571-5"], "saved.json")
        let visit = try Self.id(
            Self.json(ana, ["visit", "plan", "--customer", card, "--at", "2026-12-04T10:00:00Z"], "created.json"))
        try Self.json(ana, ["visit", "complete", visit, "--outcome", "签了意向书"], "saved.json")
        let spare = try Self.id(Self.json(ana, ["customer", "add", "Spare", "--territory", "east"], "created.json"))
        try Self.json(ana, ["customer", "delete", spare], "saved.json")
        let waiting = try Self.json(ana, ["pending"], "pending.json")
        guard case .array(let edits) = waiting, case .object(let last)? = edits.last,
            case .integer(let seq)? = last["seq"]
        else { throw Unexpected("nothing pending: \(waiting)") }
        try Self.json(ana, ["pending", "undo", String(seq), "--yes"], "undone.json")
        let csv = directory + "/customers.csv"
        try "name,territory,class\n宁波客户,east,A\nBad class,east,Z\n".write(
            toFile: csv, atomically: true, encoding: .utf8)
        let imported = try BinaryRunner.run("fieldsync", ["--data-dir", ana, "--json", "import", "customers", csv])
        #expect(imported.status == 1, "a failed line fails the import")
        #expect(try Self.schemas().check(JSONValue.parse(Data(imported.output.utf8)), against: "import.json") == [])

        // A card entered twice, found and merged by the team's manager.
        try Self.json(ana, ["customer", "add", "杭州客户有限公司", "--territory", "east"], "created.json")
        try Self.json(ana, ["sync"], "sync.json")
        let mia = directory + "/mia"
        try Self.json(
            mia, ["login", "--server", server.url, "--user", "mia", "--password-stdin"], "login.json",
            stdin: "s3cret-password\n")
        try Self.json(mia, ["sync"], "sync.json")
        let pairs = try Self.json(mia, ["dupes"], "dupes.json")
        guard case .array(let found) = pairs, case .object(let pair)? = found.first,
            case .string(let first)? = pair["first"], case .string(let second)? = pair["second"]
        else { throw Unexpected("no likely duplicate listed: \(pairs)") }
        try Self.json(mia, ["customer", "merge", first, second], "saved.json")
        try Self.json(mia, ["dupes"], "dupes.json")

        try Self.json(carl, ["logout"], "logout.json")

        // Failures: the error object on standard error, nothing on standard output, the usual exit codes.
        for (arguments, status, code) in [
            (["customer", "show", "cus-none"], Int32(1), "not_found"), (["custmer", "list"], 2, "usage"),
            (["customer", "add"], 2, "usage"),
        ] {
            let failed = try BinaryRunner.run("fieldsync", ["--data-dir", ana, "--json"] + arguments)
            #expect(failed.status == status && failed.output.isEmpty, "\(arguments): \(failed.output)\(failed.error)")
            let error = try JSONValue.parse(Data(failed.error.utf8))
            #expect(try Self.schemas().check(error, against: "error.json") == [], "\(failed.error)")
            guard case .object(let body) = error, case .object(let inner)? = body["error"] else { continue }
            #expect(inner["code"] == .string(code), "\(failed.error)")
        }
    }
}
