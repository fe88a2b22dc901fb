import Foundation
import TestSupport
import Testing

/// The manager's console in a real browser: Debian's headless Chromium driven by Selenium
/// (Fixtures/console/console_browser.py) against a real `fieldsync-server serve`, with data made by real `fieldsync`
/// laptops. The script reports what the browser saw; these tests decide whether it is right.
///
/// Screenshots of every page go to `FIELDSYNC_CONSOLE_SHOTS` (the README's come from
/// `FIELDSYNC_CONSOLE_SHOTS=docs/console swift test --filter FieldSyncServerTests.ConsoleBrowserTests/`).
@Suite(.serialized) struct ConsoleBrowserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/console/console_browser.py")
    static let password = "s3cret-password"

    /// A team on a running server: manager mei and reps ana (east) and bo (west) in team north, chen (south) in
    /// team south; customers, opportunities in several stages, visits, a complaint, notes, and one open conflict on
    /// 温州陈氏机械's phone (ana's two laptops edited it offline).
    final class World {
        let directory: URL
        let server: BinaryRunner.Server
        var ids: [String: String] = [:]
        /// A customer name that is also markup: pages must show it as text.
        static let markupName = "<script>alert(1)</script> 粗体 & Co"

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "fieldsync-console-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let db = directory.appendingPathComponent("server.sqlite").path
            try BinaryRunner.addUser("mei", db: db, role: "manager", team: "north", territory: "east")
            try BinaryRunner.addUser("ana", db: db, team: "north", territory: "east")
            try BinaryRunner.addUser("bo", db: db, team: "north", territory: "west")
            try BinaryRunner.addUser("chen", db: db, team: "south", territory: "south")
            server = try await BinaryRunner.Server(db: db)
            for (laptop, user) in [("ana", "ana"), ("ana-2", "ana"), ("bo", "bo"), ("chen", "chen"), ("mei", "mei")] {
                try fieldsync(
                    laptop, ["login", "--server", server.url, "--user", user, "--password-stdin"],
                    stdin: ConsoleBrowserTests.password + "\n")
            }
            let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
            ids["wenzhou"] = try fieldsync(
                "ana", ["customer", "add", "温州陈氏机械", "--territory", "east", "--set", "phone=0577-1111"])
            ids["wenzhou-again"] = try fieldsync(
                "ana", ["customer", "add", "温州陈氏机械有限公司", "--territory", "east"])
            ids["markup"] = try fieldsync(
                "ana", ["customer", "add", World.markupName, "--territory", "east", "--set", "remarks=<img src=x>"])
            ids["lvye"] = try fieldsync(
                "ana", ["customer", "add", "杭州绿叶贸易", "--territory", "east", "--set", "class=A"])
            try fieldsync(
                "ana",
                [
                    "opp", "add", "数控机床 ×3", "--customer", "温州陈氏机械", "--amount", "129999.00 CNY", "--stage", "closing",
                    "--set", "closeDate=\(today)",
                ])
            try fieldsync(
                "ana",
                ["contact", "add", "陈建国", "--customer", "温州陈氏机械", "--role", "decisionMaker", "--set", "title=总经理"])
            try fieldsync(
                "ana", ["opp", "add", "年度保养合同", "--customer", "温州陈氏机械", "--amount", "20000.00 CNY", "--stage", "won"])
            try fieldsync(
                "ana", ["opp", "add", "备件", "--customer", "杭州绿叶贸易", "--amount", "5000.00 CNY", "--stage", "lost"])
            try fieldsync(
                "ana",
                [
                    "opp", "add", "Export line", "--customer", "杭州绿叶贸易", "--amount", "8000.00 USD", "--stage",
                    "presenting",
                ])
            let visit = try fieldsync(
                "ana", ["visit", "plan", "--customer", "温州陈氏机械", "--at", "\(today) 10:00", "--purpose", "报价"])
            try fieldsync("ana", ["visit", "complete", visit, "--outcome", "客户同意试用"])
            try fieldsync("ana", ["visit", "plan", "--customer", "杭州绿叶贸易", "--at", "\(today) 15:00"])
            try fieldsync(
                "ana", ["complaint", "add", "--customer", "温州陈氏机械", "--category", "quality", "--description", "主轴异响"])
            try fieldsync("ana", ["note", "add", "温州陈氏机械", "首次拜访：需要报价"])
            ids["westwind"] = try fieldsync("bo", ["customer", "add", "西部风机 Westwind", "--territory", "west"])
            try fieldsync(
                "bo",
                [
                    "opp", "add", "Wind turbines", "--customer", "西部风机 Westwind", "--amount", "50000.00 CNY", "--stage",
                    "objections",
                ])
            ids["south"] = try fieldsync("chen", ["customer", "add", "南方秘密客户", "--territory", "south"])
            try fieldsync("chen", ["opp", "add", "南方大单", "--customer", "南方秘密客户", "--amount", "990000.00 CNY"])
            for laptop in ["ana", "bo", "chen", "ana-2"] { try fieldsync(laptop, ["sync"]) }
            try fieldsync("ana", ["customer", "edit", "温州陈氏机械", "--set", "phone=0577-2222"])
            try fieldsync("ana-2", ["customer", "edit", "温州陈氏机械", "--set", "phone=0577-3333"])
            for laptop in ["ana", "ana-2", "ana", "mei"] { try fieldsync(laptop, ["sync"]) }
        }

        /// Runs `fieldsync` on `laptop`; returns its trimmed standard output, failing the test if it failed.
        @discardableResult
        func fieldsync(_ laptop: String, _ arguments: [String], stdin: String? = nil) throws -> String {
            let outcome = try BinaryRunner.run(
                "fieldsync", arguments, stdin: stdin,
                environment: ["FIELDSYNC_HOME": directory.appendingPathComponent(laptop).path])
            try #require(outcome.status == 0, "fieldsync \(arguments.joined(separator: " ")): \(outcome.error)")
            return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// The open conflicts `fieldsync conflicts list --json` lists on `laptop`.
        func conflicts(_ laptop: String) throws -> [Any] {
            let json = try fieldsync(laptop, ["conflicts", "list", "--json"])
            return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any])
        }

        /// Runs the browser script in `mode` as `user`; returns its report.
        func browse(_ mode: String, as user: String, _ options: [String] = []) throws -> [String: Any] {
            let python = try PythonTools.seleniumPython()
            let output = directory.appendingPathComponent("\(mode)-\(user).json")
            let run = try BinaryRunner.runTool(
                python.path,
                [ConsoleBrowserTests.script.path, mode, server.url, user, ConsoleBrowserTests.password, output.path]
                    + options)
            try #require(run.status == 0, "console_browser.py \(mode) as \(user) failed:\n\(run.output)\(run.error)")
            let data = try Data(contentsOf: output)
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        /// Every resource a page loaded that did not come from this server.
        func foreignResources(_ report: [String: Any]) -> [String] {
            let loaded = (report["resources"] as? [String: [String]] ?? [:]).values.joined()
            return loaded.filter { !$0.hasPrefix(server.url + "/") }
        }

        deinit {
            server.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func pages(_ report: [String: Any]) -> [String: [String: Any]] {
        report["pages"] as? [String: [String: Any]] ?? [:]
    }

    /// The CLI's pipeline rows (of one `outcome` when given) as the console's data attributes: key, count,
    /// "CUR:minor;…" amounts.
    static func cliRows(_ json: String, outcome: String? = nil) throws -> [[String: String]] {
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]).filter {
            outcome == nil || $0["outcome"] as? String == outcome
        }
        func amounts(_ value: Any?) -> String {
            (value as? [String: Int] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
                .joined(separator: ";")
        }
        return rows.map { row in
            [
                "key": row["key"] as? String ?? "", "count": String(row["count"] as? Int ?? -1),
                "amount": amounts(row["amount"]), "weighted": amounts(row["weighted"]),
            ]
        }
    }

    @Test func aManagerSeesTheCLIsPipelineAndResolvesAConflictThatTheLaptopsThenShow() async throws {
        let world = try await World()
        let shots =
            ProcessInfo.processInfo.environment["FIELDSYNC_CONSOLE_SHOTS"].map {
                URL(fileURLWithPath: $0, relativeTo: PythonTools.packageRoot).path
            } ?? world.directory.appendingPathComponent("shots").path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let report = try world.browse(
            "manager", as: "mei",
            ["--shots", shots, "--new-value", "0577-8888 6666", "--customer", "温州", "--keep", world.ids["wenzhou"]!])
        let pages = Self.pages(report)

        let pipeline = try #require(report["pipeline"] as? [String: [[String: String]]])
        let byStage = try Self.cliRows(world.fieldsync("mei", ["pipeline", "--json"]))
        let byRep = try Self.cliRows(world.fieldsync("mei", ["pipeline", "--by", "rep", "--json"]), outcome: "open")
        #expect(pipeline["by-stage"] == byStage, "the console's funnel differs from fieldsync pipeline --json")
        #expect(pipeline["by-rep"] == byRep, "the console's forecast by rep differs from fieldsync pipeline --by rep")
        #expect(byStage.count == 5 && byRep.map { $0["key"] } == ["ana", "bo"], "\(byStage) \(byRep)")
        let outcomes = Dictionary(uniqueKeysWithValues: (pipeline["outcomes"] ?? []).map { ($0["key"] ?? "", $0) })
        #expect(
            outcomes["open"]?["count"] == "3" && outcomes["won"]?["count"] == "1" && outcomes["lost"]?["count"] == "1")
        let closing = pipeline["closing"] ?? []
        #expect(
            closing.count == 2 && closing.allSatisfy { $0["count"] == "1" && $0["amount"] == "CNY:12999900" },
            "\(closing)")

        let text = pages.values.map { $0["text"] as? String ?? "" }.joined(separator: "\n")
        #expect(!text.contains("南方"), "manager mei saw team south's records")
        for expected in ["温州陈氏机械", "西部风机 Westwind", "主轴异响", "陈建国", "首次拜访：需要报价", "客户同意试用"] {
            #expect(text.contains(expected), "no page showed \(expected)")
        }
        #expect((pages["team"]?["text"] as? String)?.contains("1 / 2") == true, "ana's week: 1 of 2 visits done")
        let customers = pages["customers"]?["text"] as? String ?? ""
        #expect(customers.contains(World.markupName), "a name with markup is not shown as the text it is")
        #expect(
            !pages.values.contains { ($0["source"] as? String ?? "").contains("<script>alert") },
            "a customer's name reached a page as markup")
        let duplicates = pages["duplicates"]?["source"] as? String ?? ""
        #expect(
            duplicates.contains(
                "data-pair=\"\([world.ids["wenzhou"]!, world.ids["wenzhou-again"]!].sorted().joined(separator: " "))\""),
            "温州陈氏机械 and 温州陈氏机械有限公司 are not listed as likely duplicates")
        #expect(pages.values.allSatisfy { $0["cjkFont"] as? Bool == true }, "Noto Sans CJK is not available to pages")
        #expect(world.foreignResources(report).isEmpty, "pages loaded \(world.foreignResources(report))")
        let cookie = try #require(
            (report["cookies"] as? [[String: Any]])?.first { $0["name"] as? String == "fieldsync_console" })
        #expect(
            cookie["httpOnly"] as? Bool == true && cookie["sameSite"] as? String == "Strict" && cookie["expiry"] != nil)

        #expect(report["resolving"] as? String == world.ids["wenzhou"])
        let resolved = try #require(pages["resolved"])
        #expect((resolved["text"] as? String)?.contains("Saved: 温州陈氏机械 phone") == true, "\(resolved["text"] ?? "")")
        #expect((resolved["text"] as? String)?.contains("No open conflicts") == true)
        // The manager kept 温州陈氏机械 of the likely pair: the other card is merged into it, its different name a
        // conflict to review, and the laptops show one card.
        #expect(report["merging"] as? String == world.ids["wenzhou-again"])
        let merged = pages["merged"]?["text"] as? String ?? ""
        #expect(merged.contains("Merged 温州陈氏机械有限公司 into 温州陈氏机械"), "\(merged)")
        #expect(merged.contains("No likely duplicates"), "\(merged)")
        for laptop in ["ana", "ana-2"] {
            try world.fieldsync(laptop, ["sync"])
            let open = try world.conflicts(laptop).compactMap { ($0 as? [String: Any])?["id"] as? String }
            #expect(open == ["\(world.ids["wenzhou"]!)/name"], "\(laptop) shows conflicts \(open)")
            let card = try world.fieldsync(laptop, ["customer", "list", "--json"])
            #expect(card.contains("0577-8888 6666"), "\(laptop) does not show the console's resolution: \(card)")
            #expect(!card.contains(world.ids["wenzhou-again"]!), "\(laptop) still lists the merged card")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: shots).filter { $0.hasSuffix(".png") }
        #expect(
            Set(files).isSuperset(of: [
                "login.png", "pipeline.png", "team.png", "customers.png", "customer.png",
                "complaints.png", "conflicts.png", "conflict-resolved.png", "duplicates.png",
            ]), "\(files)")
        testOutput(
            "Console in Chromium as manager: pipeline equal to fieldsync pipeline --json (\(byStage.count) stages,"
                + " \(byRep.count) reps), conflict resolved in the browser and seen by both laptops; screenshots in \(shots)"
        )
    }

    @Test func aRepFindsNothingOfAnotherTerritoryOnAnyPageOrLink() async throws {
        let world = try await World()
        let hidden = [world.ids["westwind"]!, world.ids["south"]!]
        let report = try world.browse("rep", as: "ana", hidden.flatMap { ["--probe", "/console/customers/\($0)"] })
        let pages = report["pages"] as? [[String: Any]] ?? []
        #expect(pages.count >= 7, "the crawl reached only \(pages.map { $0["path"] ?? "" })")
        #expect(pages.contains { ($0["path"] as? String)?.hasPrefix("/console/customers/") == true })
        let forbidden = hidden + ["西部风机", "Westwind", "南方", "Wind turbines", "bo", "chen"]
        for page in pages {
            if let link = page["foreignLink"] { Issue.record("a link leaves the server: \(link)") }
            let shown = (page["source"] as? String ?? "") + ((page["links"] as? [String])?.joined() ?? "")
            for word in forbidden where Self.containsWord(shown, word) {
                Issue.record("rep ana saw \(word) on \(page["path"] ?? "")")
            }
        }
        let probes = report["probes"] as? [[String: Any]] ?? []
        #expect(
            probes.count == 2 && probes.allSatisfy { ($0["h1"] as? String)?.hasPrefix("404") == true },
            "\(probes.map { $0["h1"] ?? "" })")
        #expect(world.foreignResources(report).isEmpty)
        testOutput("Console in Chromium as rep: \(pages.count) pages crawled, nothing of territories west or south")
    }

    /// Whether `word` occurs in `text` between non-letters (so "bo" is not found in "tbody"); text in Chinese has
    /// no spaces, so a word of Han characters counts anywhere.
    static func containsWord(_ text: String, _ word: String) -> Bool {
        guard word.unicodeScalars.allSatisfy(\.isASCII) else { return text.contains(word) }
        return text.ranges(of: word).contains { range in
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            return !(before?.isLetter ?? false) && !(after?.isLetter ?? false)
        }
    }

    @Test func aFormWithoutItsCSRFTokenIsRefusedAndChangesNothing() async throws {
        let world = try await World()
        let report = try world.browse("csrf", as: "mei", ["--new-value", "forged-0000"])
        let attempts = report["attempts"] as? [[String: Any]] ?? []
        #expect(attempts.count == 2)
        for attempt in attempts {
            let answer = attempt["answer"] as? [String: Any] ?? [:]
            #expect(attempt["removed"] as? Bool == true, "\(attempt["form"] ?? "") had no csrf field")
            #expect(
                (answer["h1"] as? String)?.hasPrefix("403") == true, "\(attempt["form"] ?? ""): \(answer["h1"] ?? "")")
            #expect((answer["text"] as? String)?.contains("security token") == true)
        }
        let after = try #require(report["after"] as? [String: Any])
        #expect(after["path"] as? String == "/console/conflicts", "the refused log-out ended the session")
        #expect((after["text"] as? String)?.contains("0577-3333") == true, "the conflict is no longer open")
        try world.fieldsync("ana", ["sync"])
        #expect(try world.conflicts("ana").count == 1, "the refused form settled the conflict")
        #expect(!(try world.fieldsync("ana", ["customer", "list", "--json"])).contains("forged-0000"))
        testOutput("Console in Chromium: forms without their CSRF token answered 403 and changed nothing")
    }

    /// A console form answer as a browser sends it over HTTP/1.1, on a new connection.
    static func post(
        _ port: Int, _ path: String, _ fields: [(String, String)], cookie: String? = nil, origin: String? = nil
    ) -> String {
        let body = fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return HostileConnectionTests.answer(
            port,
            to:
                "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: \(origin ?? "http://127.0.0.1:\(port)")\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n" + (cookie.map { "Cookie: \($0)\r\n" } ?? "")
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    }

    /// The `value` of the form field `name` on `page`, HTML entities undone.
    static func formValue(_ name: String, in page: String) -> String? {
        let pattern = try! Regex("name=\"\(name)\" value=\"([^\"]*)\"")
        guard let match = page.firstMatch(of: pattern), let value = match.output[1].substring else { return nil }
        return String(value).replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test func anEditThatArrivedAfterThePageWasShownStaysInConflictWithTheConsolesChoice() async throws {
        let world = try await World()
        let port = Int(world.server.url.split(separator: ":").last!)!
        let login = Self.post(port, "/console/login", [("user", "mei"), ("password", Self.password)])
        let cookie = try #require(login.firstMatch(of: /[Ss]et-[Cc]ookie: (fieldsync_console=[0-9a-f]+)/)?.1)
        let page = HostileConnectionTests.answer(
            port,
            to: "GET /console/conflicts HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\nConnection: close\r\n\r\n")
        let form = try ["csrf", "record", "field", "bases", "deletes"].map { name in
            (name, try #require(Self.formValue(name, in: page), "no \(name) on the conflicts page:\n\(page)"))
        }
        #expect(form.first { $0.0 == "bases" }?.1.split(separator: ",").count == 2)
        // While the manager reads the page, ana's laptop settles the conflict its own way and syncs.
        try world.fieldsync("ana", ["conflicts", "resolve", "\(world.ids["wenzhou"]!)/phone", "--value", "0577-4444"])
        try world.fieldsync("ana", ["sync"])
        #expect(try world.conflicts("ana").isEmpty)
        let answer = Self.post(
            port, "/console/conflicts/resolve", form + [("choice", "new"), ("value", "0577-5555"), ("action", "set")],
            cookie: String(cookie))
        #expect(answer.hasPrefix("HTTP/1.1 303"), "\(answer.prefix(600))")
        try world.fieldsync("ana", ["sync"])
        let open = try world.conflicts("ana")
        #expect(open.count == 1, "the console's write, based on the page, overwrote ana's later one: \(open)")
        let shown = try world.fieldsync("ana", ["conflicts", "show", "\(world.ids["wenzhou"]!)/phone"])
        #expect(shown.contains("0577-4444") && shown.contains("0577-5555"), "\(shown)")
        testOutput("Console: a resolution based on an older page left the laptop's later edit in conflict with it")
    }

    @Test func theConsoleSendsItsSecurityHeadersAndNoConsoleTurnsItOff() async throws {
        let world = try await World()
        let port = Int(world.server.url.split(separator: ":").last!)!
        let page = HostileConnectionTests.answer(
            port, to: "GET /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        for header in [
            "content-security-policy: default-src 'none'", "x-frame-options: DENY", "cache-control: no-store",
            "x-content-type-options: nosniff",
        ] {
            #expect(page.lowercased().contains(header.lowercased()), "no \(header) in:\n\(page.prefix(1500))")
        }
        let fields = [("user", "mei"), ("password", Self.password)]
        for origin in ["http://evil.example", "null", "http://127.0.0.1:1"] {
            let refused = Self.post(port, "/console/login", fields, origin: origin)
            #expect(
                refused.hasPrefix("HTTP/1.1 403") && refused.contains("another site"),
                "\(origin): \(refused.prefix(300))")
        }
        let login = Self.post(port, "/console/login", fields)
        #expect(login.hasPrefix("HTTP/1.1 303"), "\(login.prefix(500))")
        let cookie = login.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") } ?? ""
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age="] {
            #expect(cookie.contains(attribute), "\(cookie)")
        }
        let db = world.directory.appendingPathComponent("server.sqlite").path
        world.server.stop()
        let off = try await BinaryRunner.Server(db: db, extraArguments: ["--no-console"])
        defer { off.stop() }
        let offPort = Int(off.url.split(separator: ":").last!)!
        let missing = HostileConnectionTests.answer(
            offPort, to: "GET /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(missing.hasPrefix("HTTP/1.1 404"), "\(missing.prefix(300))")
    }
}
