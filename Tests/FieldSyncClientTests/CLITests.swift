import FieldSyncModel
import Foundation
import TestSupport
import Testing

/// The `fieldsync` binary as a rep and a manager use it, against the real `fieldsync-server` binary.
@Suite struct CLITests {
    static let commands: [[String]] = [
        [], ["login"], ["logout"], ["customer"], ["customer", "add"], ["customer", "edit"], ["customer", "show"],
        ["customer", "list"], ["customer", "delete"], ["contact", "add"], ["contact", "edit"], ["contact", "list"],
        ["contact", "delete"], ["visit", "plan"], ["visit", "reschedule"], ["visit", "edit"], ["visit", "complete"],
        ["visit", "cancel"], ["visit", "list"], ["visit", "delete"], ["opp", "add"], ["opp", "edit"],
        ["opp", "stage"], ["opp", "list"], ["opp", "delete"], ["opp", "item", "add"], ["opp", "item", "list"],
        ["complaint", "add"], ["complaint", "advance"], ["complaint", "edit"], ["complaint", "list"],
        ["complaint", "delete"], ["note", "add"], ["search"], ["sync"], ["status"], ["pending"], ["pending", "undo"],
        ["conflicts"], ["conflicts", "show"], ["conflicts", "resolve"], ["rejected"], ["rejected", "edit"],
        ["rejected", "retry"], ["rejected", "discard"], ["history"], ["pipeline"], ["review"], ["visits"],
        ["import"], ["export"], ["fields"], ["retention"], ["move-aside"],
    ]

    /// A scratch folder with one data directory per laptop.
    struct Scratch {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fieldsync-cli-\(UUID().uuidString)")
        func dir(_ name: String) -> String { root.appendingPathComponent(name).path }
        func fieldsync(
            _ laptop: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
        ) throws -> BinaryRunner.Outcome {
            try BinaryRunner.run(
                "fieldsync", arguments, stdin: stdin,
                environment: environment.merging(["FIELDSYNC_HOME": dir(laptop)]) { $1 })
        }
        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    @Test(arguments: commands)
    func everyCommandExplainsItself(_ command: [String]) throws {
        let outcome = try BinaryRunner.run("fieldsync", command + ["--help"])
        #expect(outcome.status == 0, "\(command): \(outcome.error)")
        #expect(outcome.output.contains("USAGE:"), "\(command)")
    }

    @Test func aDamagedReplicaFileIsRefusedLeftAsItIsAndCanBeMovedAside() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let added = try scratch.fieldsync(
            "ana", ["customer", "add", "明达", "--territory", "east"])
        try #require(added.status == 0, "\(added.error)")
        let file = scratch.dir("ana") + "/replica.sqlite"
        let sound = try Data(contentsOf: URL(fileURLWithPath: file))
        let healthy = try scratch.fieldsync("ana", ["move-aside"])
        #expect(healthy.status == 1 && healthy.error.contains("is sound"), "\(healthy.error)")
        for (damage, expected) in [
            (Data(), "is empty"), (Data(sound.prefix(sound.count / 2)), "truncated"),
            (Data("not a database at all, just text".utf8), "not a SQLite database"),
        ] {
            try? FileManager.default.removeItem(atPath: file + "-wal")
            try damage.write(to: URL(fileURLWithPath: file))
            let status = try scratch.fieldsync("ana", ["status"])
            #expect(status.status == 1, "\(expected): \(status.output)")
            #expect(status.error.contains(expected) && status.error.contains("fieldsync move-aside"), "\(status.error)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == damage, "the damaged file was changed")
        }
        let moved = try scratch.fieldsync("ana", ["move-aside"])
        #expect(moved.status == 0 && moved.output.contains(".damaged-"), "\(moved.error)")
        #expect(!FileManager.default.fileExists(atPath: file))
        let fresh = try scratch.fieldsync("ana", ["status"])
        #expect(fresh.status == 0 && fresh.output.contains("pending    0"), "\(fresh.error)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: scratch.dir("ana")).filter {
            $0.contains(".damaged-")
        }
        #expect(kept.count == 1)
    }

    @Test func theDryRunSumsUpWhatWouldBePushedAndListsItOnRequest() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        #expect(try scratch.fieldsync("ana", ["sync", "--dry-run"]).output.contains("Nothing to push."))
        for name in ["明达机械", "宏远贸易"] {
            #expect(try scratch.fieldsync("ana", ["customer", "add", name, "--territory", "east"]).status == 0)
        }
        #expect(try scratch.fieldsync("ana", ["customer", "edit", "明达机械", "--set", "phone=0571-1"]).status == 0)
        #expect(try scratch.fieldsync("ana", ["note", "add", "宏远贸易", "下周回访"]).status == 0)
        let summary = try scratch.fieldsync("ana", ["sync", "--dry-run"])
        #expect(summary.status == 0, "\(summary.error)")
        #expect(summary.output.contains("Would push 4 changes:"), "\(summary.output)")
        #expect(summary.output.contains("  customer  add 2, edit 1, note 1\n"), "\(summary.output)")
        #expect(!summary.output.contains("#1"), "the summary does not list each change")
        let list = try scratch.fieldsync("ana", ["sync", "--dry-run", "--list"])
        #expect(
            list.output.contains("  #1 add customer 明达机械") && list.output.contains("  #4 note on"), "\(list.output)")
        let alone = try scratch.fieldsync("ana", ["sync", "--list"])
        #expect(alone.status == 2 && alone.error.contains("--list goes with --dry-run"), "\(alone.error)")
    }

    @Test func usageErrorsExitWithTwoAndSayWhy() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        for arguments in [["customer", "add"], ["sync", "--bogus"], ["pipeline", "--by", "colour"], ["frobnicate"]] {
            let outcome = try scratch.fieldsync("ana", arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.status)")
            #expect(
                outcome.error.contains("Error:") || outcome.error.contains("Usage:"), "\(arguments): \(outcome.error)")
            #expect(!outcome.error.contains("Fatal error"))
        }
    }

    @Test func badValuesAreRefusedWithTheModelsMessageAndNothingIsSaved() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let outcome = try scratch.fieldsync(
            "ana", ["customer", "add", "明达", "--territory", "east", "--set", "class=Z"])
        #expect(outcome.status == 1)
        #expect(outcome.error == "fieldsync: customer.class cannot be 'Z': use one of A, B, C, D.\n")
        let status = try scratch.fieldsync("ana", ["status", "--json"])
        #expect(status.output.contains("\"pending\" : 0"))
    }

    @Test func choicesAreTypedInAnyCaseAndAnUnknownFilterValueIsAUsageError() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        func run(_ arguments: [String]) throws -> BinaryRunner.Outcome { try scratch.fieldsync("ana", arguments) }
        #expect(try run(["customer", "add", "明达", "--territory", "east", "--set", "class=a"]).status == 0)
        #expect(try run(["opp", "add", "锅炉", "--customer", "明达", "--stage", "Presenting"]).status == 0)
        let contact = try run(["contact", "add", "陈伟", "--customer", "明达", "--set", "role=decisionmaker"])
        #expect(contact.status == 0, "\(contact.error)")
        let stored = try run(["--json", "contact", "list"]).output + (try run(["--json", "opp", "list"]).output)
        #expect(stored.contains("\"decisionMaker\"") && stored.contains("\"presenting\""), "\(stored)")
        #expect(try run(["customer", "list", "--class", "A"]).output.contains("明达"))
        #expect(try run(["opp", "list", "--stage", "PRESENTING"]).output.contains("锅炉"))
        for (arguments, allowed) in [
            (["customer", "list", "--class", "Z"], "--class takes one of A, B, C, D; got 'Z'."),
            (["opp", "list", "--stage", "closed"], "--stage takes one of prospecting, "),
        ] {
            let refused = try run(arguments)
            #expect(refused.status == 2 && refused.error.contains(allowed), "\(arguments): \(refused.error)")
        }
    }

    @Test func anIdPrefixNeedsFourCharactersAndAnAmbiguousNameListsTheCandidates() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        func run(_ arguments: [String]) throws -> BinaryRunner.Outcome { try scratch.fieldsync("ana", arguments) }
        let first = try run(["customer", "add", "明达", "--territory", "east"]).output.trimmingCharacters(in: .newlines)
        let second = try run(["customer", "add", "明达", "--territory", "east"]).output.trimmingCharacters(in: .newlines)
        let deal = try run(["opp", "add", "锅炉", "--customer", first]).output.trimmingCharacters(in: .newlines)
        let ambiguous = try run(["customer", "show", "明达"])
        #expect(ambiguous.status == 1 && ambiguous.error.contains("matches several records"), "\(ambiguous.error)")
        #expect(ambiguous.error.contains("\(first) 明达") && ambiguous.error.contains("\(second) 明达"))
        // "opp" is not a prefix of every deal, nor is "opp-" and one character; four characters are.
        for short in ["opp", String(deal.prefix(5))] {
            let refused = try run(["opp", "stage", short, "won"])
            #expect(refused.status == 1 && refused.error.contains("No record matches"), "\(short): \(refused.error)")
        }
        #expect(try run(["opp", "stage", String(deal.prefix(8)), "won"]).status == 0)
        #expect(try run(["--json", "opp", "list"]).output.contains("\"won\""))
    }

    /// A rep in Shanghai: times typed and shown in local time, `--today` and `--week` local days, records in UTC.
    @Test func timesAreTypedAndShownInTheLaptopsTimeZone() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let shanghai = ["TZ": "Asia/Shanghai"]
        func ok(_ arguments: [String]) throws -> String {
            let outcome = try scratch.fieldsync("ana", arguments, environment: shanghai)
            #expect(outcome.status == 0, "\(arguments): \(outcome.error)")
            return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try ok(["customer", "add", "温州陈氏五金", "--territory", "east"])
        func plan(_ at: String, _ purpose: String) throws -> String {
            try ok(["visit", "plan", "--customer", "温州陈氏五金", "--at", at, "--purpose", purpose])
        }
        // Early today (still yesterday in UTC), this week's Monday at 07:00, and a time typed with its offset.
        let early = try plan("today 07:30", "早会")
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let monday = calendar.dateInterval(of: .weekOfYear, for: Date())!.start
        let mondayText = LocalTimeText.day(monday, calendar)
        let onMonday = try plan("\(mondayText) 07:00", "周一拜访")
        let past = try plan("2020-03-02T09:00:00+08:00", "带时区")

        let stored = try ok(["--json", "visit", "list"])
        #expect(stored.contains("\"plannedAt\" : \"2020-03-02T01:00:00Z\""), "records keep UTC: \(stored)")
        let list = try ok(["visit", "list"])
        #expect(list.contains("2020-03-02 09:00") && list.contains("\(mondayText) 07:00"), "\(list)")
        let order = [past, onMonday, early].map { list.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order == order.sorted { $0! < $1! }, "visits by time: \(list)")
        #expect(try ok(["--utc", "visit", "list"]).contains("2020-03-02 01:00"))
        let today = try ok(["visit", "list", "--today"])
        #expect(today.contains(early) && !today.contains(past), "\(today)")
        let week = try ok(["visit", "list", "--week"])
        #expect(week.contains(onMonday) && week.contains(early) && !week.contains(past), "\(week)")
        #expect(try ok(["status"]).contains("times in   Asia/Shanghai, UTC+08:00"))
        #expect(try ok(["--utc", "status"]).contains("times in   UTC"))

        // A date field takes a day word; a date-time without a time is refused with an example.
        let deal = try ok(["opp", "add", "仓库货架", "--customer", "温州陈氏五金", "--set", "closeDate=tomorrow"])
        let tomorrow = LocalTimeText.day(calendar.date(byAdding: .day, value: 1, to: Date())!, calendar)
        #expect(try ok(["--json", "opp", "list"]).contains("\"closeDate\" : \"\(tomorrow)\""), "\(deal)")
        let vague = try scratch.fieldsync(
            "ana", ["visit", "plan", "--customer", "温州陈氏五金", "--at", "tomorrow"], environment: shanghai)
        #expect(vague.status != 0 && vague.error.contains("needs a time too: 'tomorrow 09:30'"), "\(vague.error)")
    }

    /// `YYYY-MM-DD` of a date in a calendar's zone.
    enum LocalTimeText {
        static func day(_ date: Date, _ calendar: Calendar) -> String {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        }
    }

    @Test func aDeadServerGetsOneClearLineAndTheEditsStayPending() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let login = try scratch.fieldsync(
            "ana", ["login", "--server", "http://127.0.0.1:9", "--user", "ana", "--password-stdin"], stdin: "x\n")
        #expect(login.status == 1)
        #expect(login.error.hasPrefix("fieldsync: Cannot reach the server at http://127.0.0.1:9"))
        #expect(login.error.split(separator: "\n").count == 1)
    }

    /// The story: two laptops edit the same opportunity's stage and a customer's phone while the server is
    /// stopped, then sync; both show the same values, the stage conflict lists both values, and the manager's
    /// pipeline shows the merged result.
    @Test func twoLaptopsEditOfflineThenConverge() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let db = scratch.dir("server.sqlite")
        for (user, role, territory) in [("ana", "rep", "east"), ("carl", "rep", "east"), ("mia", "manager", "hq")] {
            let added = try BinaryRunner.run(
                "fieldsync-server",
                [
                    "user", "add", user, "--role", role, "--team", "north", "--territory", territory,
                    "--password-stdin",
                    "--password-iterations", "1000", "--db", db,
                ], stdin: "password-\(user)\n")
            #expect(added.status == 0, "\(added.error)")
        }
        var server = try await BinaryRunner.Server(db: db)
        let url = server.url
        for user in ["ana", "carl", "mia"] {
            let login = try scratch.fieldsync(
                user, ["login", "--server", url, "--user", user, "--password-stdin"], stdin: "password-\(user)\n")
            #expect(login.status == 0, "\(login.error)")
        }
        let customer = try scratch.fieldsync(
            "ana", ["customer", "add", "杭州明达机械有限公司", "--territory", "east", "--set", "phone=0571-8888"]
        )
        .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let opp = try scratch.fieldsync(
            "ana", ["opp", "add", "五台锅炉", "--customer", "杭州明达机械有限公司", "--amount", "1000000 CNY", "--stage", "closing"]
        )
        .output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try scratch.fieldsync("ana", ["sync"]).status == 0)
        #expect(try scratch.fieldsync("carl", ["sync"]).status == 0)

        server.stop()
        #expect(try scratch.fieldsync("ana", ["opp", "stage", opp, "won"]).status == 0)
        #expect(try scratch.fieldsync("ana", ["customer", "edit", customer, "--set", "phone=0571-1111"]).status == 0)
        #expect(try scratch.fieldsync("carl", ["opp", "stage", opp, "lost", "--loss-reason", "price"]).status == 0)
        #expect(try scratch.fieldsync("carl", ["customer", "edit", customer, "--set", "phone=0571-2222"]).status == 0)
        let offline = try scratch.fieldsync("ana", ["sync"])
        #expect(offline.status == 1 && offline.error.contains("Cannot reach the server"))

        server = try await BinaryRunner.Server(db: db, port: Int(URL(string: url)!.port!))
        defer { server.stop() }
        for laptop in ["ana", "carl", "ana", "mia"] { #expect(try scratch.fieldsync(laptop, ["sync"]).status == 0) }

        let anaView = try scratch.fieldsync("ana", ["opp", "show", opp, "--json"]).output
        let carlView = try scratch.fieldsync("carl", ["opp", "show", opp, "--json"]).output
        #expect(anaView == carlView)
        #expect(
            try scratch.fieldsync("ana", ["customer", "show", customer, "--json"]).output
                == scratch.fieldsync("carl", ["customer", "show", customer, "--json"]).output)
        let conflicts = try scratch.fieldsync("carl", ["conflicts", "--json"]).output
        let listed = try JSONDecoder().decode([Conflict].self, from: Data(conflicts.utf8))
        let stage = try #require(listed.first { $0.field == "stage" })
        #expect(Set(stage.heads.map(\.value)) == [.text("won"), .text("lost")])
        #expect(Set(stage.heads.map(\.author)) == ["ana", "carl"])
        #expect(listed.contains { $0.field == "phone" })

        let pipeline = try scratch.fieldsync("mia", ["pipeline", "--json"]).output
        let shownStage = anaView.contains("\"stage\" : \"lost\"") ? "lost" : "won"
        #expect(pipeline.contains("\"key\" : \"\(shownStage)\""), "the manager sees the merged stage: \(pipeline)")
        #expect(pipeline.contains("\"CNY\" : 100000000"))

        let resolved = try scratch.fieldsync("mia", ["conflicts", "resolve", "\(opp)/stage", "--take", "1"])
        #expect(resolved.status == 0, "\(resolved.error)")
        for laptop in ["mia", "ana"] { #expect(try scratch.fieldsync(laptop, ["sync"]).status == 0) }
        let after = try JSONDecoder().decode(
            [Conflict].self, from: Data(try scratch.fieldsync("ana", ["conflicts", "--json"]).output.utf8))
        #expect(!after.contains { $0.field == "stage" })
    }

    /// Last month's release (`FIELDSYNC_SCHEMA_VERSION=1`) and this month's on one `fieldsync-server`: the old laptop
    /// never sees or clears what it does not know; once the operator raises the oldest version it is told to
    /// upgrade, keeps its edits, and sends them after the upgrade.
    @Test func anOldLaptopKeepsSyncingWithANewServerUntilItMustUpgrade() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let db = scratch.dir("server.sqlite")
        for user in ["ana", "carl"] {
            let added = try BinaryRunner.run(
                "fieldsync-server",
                [
                    "user", "add", user, "--role", "rep", "--team", "north", "--territory", "east", "--password-stdin",
                    "--password-iterations", "1000", "--db", db,
                ], stdin: "password-\(user)\n")
            #expect(added.status == 0, "\(added.error)")
        }
        var server = try await BinaryRunner.Server(db: db)
        let old = ["FIELDSYNC_SCHEMA_VERSION": "1"]
        for (user, environment) in [("ana", [:]), ("carl", old)] {
            let login = try scratch.fieldsync(
                user, ["login", "--server", server.url, "--user", user, "--password-stdin"],
                stdin: "password-\(user)\n", environment: environment)
            #expect(login.status == 0, "\(login.error)")
        }
        func ok(_ laptop: String, _ arguments: [String], _ environment: [String: String] = [:]) throws -> String {
            let outcome = try scratch.fieldsync(laptop, arguments, environment: environment)
            #expect(outcome.status == 0, "\(arguments): \(outcome.error)")
            return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try ok("ana", ["customer", "add", "温州陈氏五金", "--territory", "east"])
        let contact = try ok(
            "ana", ["contact", "add", "陈伟", "--customer", "温州陈氏五金", "--role", "champion", "--set", "wechat=chenwei-wz"])
        let deal = try ok("ana", ["opp", "add", "仓库货架", "--customer", "温州陈氏五金", "--set", "probability=90"])
        _ = try ok(
            "ana", ["opp", "item", "add", deal, "--product", "货架 A", "--quantity", "40", "--price", "250.00 CNY"])
        _ = try ok("ana", ["sync"])
        _ = try ok("carl", ["sync"], old)

        let seen = try ok("carl", ["contact", "show", contact, "--json"], old)
        #expect(!seen.contains("wechat") && seen.contains("champion"), "\(seen)")
        let items = try scratch.fieldsync("carl", ["opp", "item", "list", deal], environment: old)
        #expect(
            items.status == 1 && items.error.contains("Schema version 1 has no entity 'lineItem'"), "\(items.error)")
        let refused = try scratch.fieldsync(
            "carl", ["contact", "edit", contact, "--set", "wechat=x"], environment: old)
        #expect(refused.status == 1 && refused.error.contains("no field 'wechat'"), "\(refused.error)")
        #expect(!(try ok("carl", ["fields", "contact"], old)).contains("wechat"))
        #expect(try ok("carl", ["fields", "contact"]).contains("wechat"))

        _ = try ok("carl", ["contact", "edit", contact, "--set", "phone=0577-8888", "--set", "role=user"], old)
        _ = try ok("carl", ["sync"], old)
        _ = try ok("ana", ["sync"])
        let shown = try ok("ana", ["contact", "show", contact, "--json"])
        #expect(shown.contains("chenwei-wz") && shown.contains("0577-8888"), "\(shown)")

        // The operator raises the oldest version: the old laptop is told to upgrade and keeps its edit.
        server.stop()
        server = try await BinaryRunner.Server(
            db: db, port: Int(URL(string: server.url)!.port!), extraArguments: ["--oldest-schema-version", "2"])
        defer { server.stop() }
        _ = try ok("carl", ["contact", "edit", contact, "--set", "title=采购经理"], old)
        let told = try scratch.fieldsync("carl", ["sync"], environment: old)
        #expect(told.status == 1 && told.error.contains("install the new FieldSync release"), "\(told.error)")
        #expect(try ok("carl", ["status", "--json"], old).contains("\"pending\" : 1"))
        _ = try ok("carl", ["sync"])
        let upgraded = try ok("carl", ["contact", "show", contact, "--json"])
        #expect(upgraded.contains("采购经理") && upgraded.contains("chenwei-wz"), "\(upgraded)")
    }

    @Test func csvImportKeepsChineseTextAndReportsBadLines() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(at: scratch.root, withIntermediateDirectories: true)
        let file = scratch.dir("customers.csv")
        let csv =
            "\u{FEFF}name,territory,phone,class,tags\n 杭州明达机械有限公司\u{3000},east,0571-1,A, vip ;华东\n\"Smith, Jones & Co\",east,,B,\n坏数据,east,,Z,\n"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try scratch.fieldsync("ana", ["import", "customers", file])
        #expect(imported.status == 1)
        #expect(imported.output.contains("Imported 2 customers; 1 line failed."))
        #expect(imported.output.contains("line 4: customer.class cannot be 'Z'"))
        let exported = try scratch.fieldsync("ana", ["export", "customer", "--format", "csv"]).output
        #expect(exported.contains("杭州明达机械有限公司"))
        #expect(exported.contains("\"Smith, Jones & Co\""))
        #expect(exported.contains("vip;华东") || exported.contains("华东;vip"), "cells are trimmed: \(exported)")
        #expect(!exported.contains(" 杭州") && !exported.contains("\u{3000}"), "spaces around a cell are left out")
    }
}
