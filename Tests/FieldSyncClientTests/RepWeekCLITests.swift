import Foundation
import TestSupport
import Testing

/// A rep's week with the real `fieldsync` binary: records named as the rep knows them, found by any part of their
/// text, every entity added, changed and deleted, unsent edits taken back, refused ones fixed, and the customer card.
@Suite struct RepWeekCLITests {
    typealias Scratch = CLITests.Scratch

    /// Runs `fieldsync` on laptop `ana` of `scratch`, expects exit 0, and returns its output.
    @discardableResult
    static func ok(_ scratch: Scratch, _ arguments: [String], laptop: String = "ana") throws -> String {
        let outcome = try scratch.fieldsync(laptop, arguments)
        #expect(outcome.status == 0, "fieldsync \(arguments.joined(separator: " ")): \(outcome.error)")
        return outcome.output
    }

    /// Logs `user` (added with `BinaryRunner.addUser`) in on their laptop of `scratch`.
    static func login(_ scratch: Scratch, _ user: String, _ server: BinaryRunner.Server) throws {
        let login = try scratch.fieldsync(
            user, ["login", "--server", server.url, "--user", user, "--password-stdin"], stdin: "s3cret-password\n")
        try #require(login.status == 0, "\(login.error)")
    }

    /// What `arguments` printed, trimmed: an id for an add.
    static func id(_ scratch: Scratch, _ arguments: [String], laptop: String = "ana") throws -> String {
        try ok(scratch, arguments, laptop: laptop).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func listsAndTheDryRunNameRecordsByWhatTheRepKnowsThemBy() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let card = try Self.id(scratch, ["customer", "add", "杭州西湖茶业", "--territory", "east"])
        try Self.ok(scratch, ["contact", "add", "王经理", "--customer", "杭州西湖茶业"])
        try Self.ok(scratch, ["opp", "add", "年度框架协议", "--customer", card])
        try Self.ok(scratch, ["--utc", "visit", "plan", "--customer", card, "--at", "2026-12-08T09:30:00+08:00"])
        try Self.ok(scratch, ["complaint", "add", "--customer", card, "--category", "quality"])
        for entity in ["contact", "opp", "visit", "complaint"] {
            let list = try Self.ok(scratch, ["--utc", entity, "list"])
            #expect(list.contains("杭州西湖茶业") && !list.contains(card), "\(entity): \(list)")
            let withIDs = try Self.ok(scratch, ["--utc", entity, "list", "--ids"])
            #expect(withIDs.contains("杭州西湖茶业 (\(card))"), "\(entity): \(withIDs)")
        }
        let dryRun = try Self.ok(scratch, ["--utc", "sync", "--dry-run", "--list"])
        for summary in [
            "add contact 王经理 at 杭州西湖茶业", "add opportunity 年度框架协议 for", "plan visit 2026-12-08 01:30 杭州西湖茶业",
            "add quality complaint, 杭州西湖茶业",
        ] {
            #expect(dryRun.contains(summary), "\(summary): \(dryRun)")
        }
        let edited = try Self.ok(scratch, ["opp", "edit", "年度框架协议", "--set", "customer=杭州西湖茶业"])
        #expect(edited.hasPrefix("年度框架协议: saved"), "a reference set by name inside an edit: \(edited)")
    }

    @Test func searchFindsAnyPartOfANamePhoneEmailOrNoteAndListsFilter() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        for (name, phone, email) in [
            ("温州陈氏五金有限公司", "0577-1234-5678", "chen@wz.cn"), ("杭州西湖茶业", "0571 8888 0000", "Li@XiHu.cn"),
            ("宁波港机", "0574-2222", "port@nb.cn"),
        ] {
            try Self.ok(
                scratch,
                ["customer", "add", name, "--territory", "east", "--set", "phone=\(phone)", "--set", "email=\(email)"]
                    + (name.hasPrefix("杭州") ? ["--tag", "vip"] : []))
        }
        try Self.ok(scratch, ["contact", "add", "王经理", "--customer", "宁波港机", "--set", "phone=138-0013-8000"])
        try Self.ok(scratch, ["note", "add", "宁波港机", "客户想要 Crane 报价"])
        for (query, found) in [
            ("温州陈", "温州陈氏五金有限公司"), ("05718888", "杭州西湖茶业"), ("LI@xihu", "杭州西湖茶业"), ("13800138", "王经理"),
            ("crane", "宁波港机"),
        ] {
            let hits = try Self.ok(scratch, ["search", query])
            #expect(hits.contains(found), "\(query): \(hits)")
            #expect(hits.split(separator: "\n").count == 2, "\(query) finds one record: \(hits)")
        }
        #expect(try Self.ok(scratch, ["search", "上海"]).contains("Nothing on this laptop matches"))
        #expect(try Self.ok(scratch, ["search", "0577", "--entity", "contacts"]).contains("Nothing"))
        let tagged = try Self.ok(scratch, ["customer", "list", "--tag", "vip"])
        #expect(tagged.contains("杭州西湖茶业") && !tagged.contains("宁波港机"), "\(tagged)")
        let searched = try Self.ok(scratch, ["customer", "list", "--search", "nb.cn"])
        #expect(searched.contains("宁波港机") && !searched.contains("杭州"), "\(searched)")
        #expect(try Self.ok(scratch, ["customer", "list", "--owner", "nobody"]).split(separator: "\n").count == 1)
        #expect(try Self.ok(scratch, ["customer", "list", "--limit", "2"]).split(separator: "\n").count == 3)
        let refused = try scratch.fieldsync("ana", ["customer", "list", "--limit", "0"])
        #expect(refused.status == 2 && refused.error.contains("--limit"), "\(refused.error)")
    }

    @Test func everyEntityIsDeletedAfterAskingOnATerminal() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let card = try Self.id(scratch, ["customer", "add", "明达机械", "--territory", "east"])
        let records = [
            ("contact", try Self.id(scratch, ["contact", "add", "陈伟", "--customer", card])),
            ("opp", try Self.id(scratch, ["opp", "add", "锅炉", "--customer", card])),
            ("visit", try Self.id(scratch, ["visit", "plan", "--customer", card, "--at", "tomorrow 09:00"])),
            ("complaint", try Self.id(scratch, ["complaint", "add", "--customer", card, "--category", "delivery"])),
            ("customer", card),
        ]
        for (group, id) in records {
            // On a terminal (util-linux `script` gives it one), anything but yes keeps the record.
            let declined = try BinaryRunner.runTool(
                "/usr/bin/script", ["-qec", "fieldsync \(group) delete \(id)", "/dev/null"], stdin: "n\n",
                environment: ["FIELDSYNC_HOME": scratch.dir("ana"), "PATH": Self.path])
            #expect(declined.status == 1 && declined.output.contains("Nothing changed"), "\(group): \(declined.output)")
            #expect(try scratch.fieldsync("ana", [group, "show", id]).status == 0, "\(group) was deleted")
            try Self.ok(scratch, [group, "delete", id, "--yes"])
            #expect(try scratch.fieldsync("ana", [group, "show", id]).status == 1, "\(group) is still there")
        }
    }

    @Test func visitsMoveForwardAndComplaintsOnlyForwardUnlessAManagerReopens() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let card = try Self.id(scratch, ["customer", "add", "明达机械", "--territory", "east"])
        let visit = try Self.id(scratch, ["visit", "plan", "--customer", card, "--at", "2026-12-08 09:00"])
        try Self.ok(scratch, ["visit", "reschedule", visit, "--at", "2026-12-09T10:00:00Z"])
        try Self.ok(scratch, ["visit", "edit", visit, "--set", "checkInPlace=西湖区"])
        let moved = try Self.ok(scratch, ["--json", "visit", "show", visit])
        #expect(moved.contains("2026-12-09T10:00:00Z") && moved.contains("西湖区"), "\(moved)")
        try Self.ok(scratch, ["visit", "complete", visit, "--outcome", "签了意向书"])
        for arguments in [["visit", "cancel", visit], ["visit", "reschedule", visit, "--at", "fri 10:00"]] {
            let refused = try scratch.fieldsync("ana", arguments)
            #expect(refused.status == 1 && refused.error.contains("completed"), "\(arguments): \(refused.error)")
        }
        let complaint = try Self.id(scratch, ["complaint", "add", "--customer", card, "--category", "quality"])
        try Self.ok(scratch, ["complaint", "advance", complaint, "assigned", "--set", "dueDate=2026-12-20"])
        try Self.ok(scratch, ["complaint", "advance", complaint, "evaluated", "--set", "satisfaction=Satisfied"])
        try Self.ok(scratch, ["complaint", "edit", complaint, "--set", "resolution=换货"])
        let back = try scratch.fieldsync("ana", ["complaint", "advance", complaint, "rejected"])
        #expect(back.status == 1 && back.error.contains("only move forward"), "\(back.error)")
        let shown = try Self.ok(scratch, ["--json", "complaint", "show", complaint])
        for value in ["\"evaluated\"", "\"satisfied\"", "\"2026-12-20\"", "\"换货\""] {
            #expect(shown.contains(value), "\(value): \(shown)")
        }
    }

    @Test func theCustomerCardGathersContactsOpenDealsVisitsComplaintsAndNotes() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let card = try Self.id(scratch, ["customer", "add", "杭州西湖茶业", "--territory", "east"])
        let other = try Self.id(scratch, ["customer", "add", "宁波港机", "--territory", "east"])
        try Self.ok(scratch, ["contact", "add", "王经理", "--customer", card, "--role", "decisionMaker"])
        try Self.ok(scratch, ["contact", "add", "别家联系人", "--customer", other])
        try Self.ok(scratch, ["opp", "add", "年度框架协议", "--customer", card, "--amount", "129999 CNY"])
        let won = try Self.id(scratch, ["opp", "add", "已签小单", "--customer", card])
        try Self.ok(scratch, ["opp", "stage", won, "won"])
        try Self.ok(scratch, ["visit", "plan", "--customer", card, "--at", "2099-01-05 09:30", "--purpose", "年度报价"])
        let past = try Self.id(scratch, ["visit", "plan", "--customer", card, "--at", "2026-01-05 09:30"])
        try Self.ok(scratch, ["visit", "complete", past, "--outcome", "签了意向书"])
        try Self.ok(
            scratch, ["complaint", "add", "--customer", card, "--category", "quality", "--description", "包装破损"])
        try Self.ok(scratch, ["note", "add", card, "客户下周来访"])
        let text = try Self.ok(scratch, ["customer", "show", "杭州西湖茶业"])
        for expected in [
            "contacts (1)", "王经理", "open opportunities (1)", "年度框架协议", "129,999.00 CNY", "upcoming visits (1)",
            "年度报价", "recent visits (1)", "签了意向书", "open complaints (1)", "包装破损", "last notes", "客户下周来访",
        ] {
            #expect(text.contains(expected), "\(expected): \(text)")
        }
        #expect(!text.contains("已签小单") && !text.contains("别家联系人"), "\(text)")
        let json =
            try JSONSerialization.jsonObject(
                with: Data(try Self.ok(scratch, ["--json", "customer", "show", card]).utf8)) as? [String: Any]
        #expect(json?["id"] as? String == card)
        for (key, count) in [
            ("contacts", 1), ("openOpportunities", 1), ("upcomingVisits", 1), ("recentVisits", 1),
            ("openComplaints", 1), ("lastNotes", 1),
        ] {
            #expect((json?[key] as? [Any])?.count == count, "\(key): \(String(describing: json?[key]))")
        }
    }

    @Test func unsentEditsAreUndoneAndRefusedOnesFixedBeforeTheServerSeesThem() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let db = scratch.dir("server.sqlite")
        try BinaryRunner.addUser("ana", db: db)
        let server = try await BinaryRunner.Server(db: db)
        defer { server.stop() }
        try Self.login(scratch, "ana", server)
        let kept = try Self.id(scratch, ["customer", "add", "明达机械", "--territory", "east"])
        let dropped = try Self.id(scratch, ["customer", "add", "打错的客户", "--territory", "east"])
        try Self.ok(scratch, ["customer", "edit", kept, "--set", "phone=0571-1"])
        let pending = try Self.ok(scratch, ["pending"])
        #expect(pending.contains("add customer 打错的客户") && pending.contains("edit customer 明达机械"), "\(pending)")
        let blocked = try scratch.fieldsync("ana", ["pending", "undo", "1"])
        #expect(blocked.status == 1 && blocked.error.contains("undo #3 first"), "\(blocked.error)")
        let contact = try Self.id(scratch, ["contact", "add", "陈伟", "--customer", dropped])
        let named = try scratch.fieldsync("ana", ["pending", "undo", "2"])
        #expect(named.status == 1 && named.error.contains("names what #2 added: undo #4 first"), "\(named.error)")
        try Self.ok(scratch, ["pending", "undo", "4", "--yes"])
        #expect(try scratch.fieldsync("ana", ["contact", "show", contact]).status == 1)
        try Self.ok(scratch, ["pending", "undo", "3"])
        #expect(!(try Self.ok(scratch, ["--json", "customer", "show", kept])).contains("0571-1"), "the view kept #3")
        try Self.ok(scratch, ["pending", "undo", "2", "--yes"])
        #expect(try scratch.fieldsync("ana", ["customer", "show", dropped]).status == 1)
        let synced = try Self.ok(scratch, ["sync"])
        #expect(synced.hasPrefix("pushed 1, acknowledged 1, rejected 0"), "\(synced)")
        #expect(try Self.ok(scratch, ["pending"]).contains("Nothing waiting"))
        #expect(try Self.ok(scratch, ["rejected"]).contains("No refused changes"))

        // A rep may not move a card between territories: refused, then fixed by leaving the territory as it is.
        try Self.ok(scratch, ["customer", "edit", kept, "--set", "territory=west", "--set", "phone=0571-2"])
        #expect(try Self.ok(scratch, ["sync"]).contains("rejected 1"))
        let refused = try Self.ok(scratch, ["--json", "rejected"])
        let seq = try #require(
            (try JSONSerialization.jsonObject(with: Data(refused.utf8)) as? [[String: Any]])?.first?["seq"] as? Int)
        let nothingLeft = try scratch.fieldsync("ana", ["rejected", "edit", "\(seq)", "--set", "territory=east"])
        #expect(nothingLeft.status == 0, "\(nothingLeft.error)")
        #expect(try Self.ok(scratch, ["sync"]).hasPrefix("pushed 1, acknowledged 1, rejected 0"))
        #expect(try Self.ok(scratch, ["--json", "customer", "show", kept]).contains("0571-2"))

        // Once a sync has tried to send an edit, it can no longer be undone: it may be on the server.
        server.stop()
        try Self.ok(scratch, ["customer", "edit", kept, "--set", "phone=0571-3"])
        #expect(try scratch.fieldsync("ana", ["sync"]).status == 1)
        let sent = try Self.ok(scratch, ["--json", "pending"])
        let last = try #require(
            (try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [[String: Any]])?.last?["seq"] as? Int)
        let late = try scratch.fieldsync("ana", ["pending", "undo", "\(last)"])
        #expect(late.status == 1 && late.error.contains("may already be on the server"), "\(late.error)")
    }

    @Test func exportsNameEntitiesAnyWayAndOpenRightInExcel() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let card = try Self.id(scratch, ["customer", "add", "杭州西湖茶业", "--territory", "east"])
        try Self.ok(scratch, ["opp", "add", "年度框架协议", "--customer", card])
        for name in ["opp", "opps", "opportunities", "Opportunity"] {
            #expect(try Self.ok(scratch, ["export", name]).contains("年度框架协议"), "\(name)")
        }
        #expect(try Self.ok(scratch, ["export", "customers", "--json"]).hasPrefix("["))
        let excel = try scratch.fieldsync("ana", ["export", "customers", "--excel"]).output
        #expect(excel.hasPrefix("\u{FEFF}id,name") && excel.contains("\r\n"), "\(excel.debugDescription)")
        let unknown = try scratch.fieldsync("ana", ["export", "widgets"])
        #expect(unknown.status == 2 && unknown.error.contains("customer, contact, visit, opp"), "\(unknown.error)")
    }

    @Test func aManagersMondayShowsOpenAndClosedDealsFollowUpsAndVisitRates() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let db = scratch.dir("server.sqlite")
        for user in ["ana", "carl"] { try BinaryRunner.addUser(user, db: db) }
        try BinaryRunner.addUser("mia", db: db, role: "manager", territory: "hq")
        let server = try await BinaryRunner.Server(db: db)
        defer { server.stop() }
        let never = try Self.ok(scratch, ["pipeline"], laptop: "mia")
        #expect(never.contains("never synced"), "\(never)")
        for user in ["ana", "carl", "mia"] { try Self.login(scratch, user, server) }
        let card = try Self.id(scratch, ["customer", "add", "杭州西湖茶业", "--territory", "east"])
        try Self.ok(scratch, ["sync"])
        try Self.ok(scratch, ["sync"], laptop: "carl")
        let deals: [(String, String, String, String, String)] = [
            ("ana", "货架", "50000 CNY", "presenting", "2026-12-20"), ("ana", "丢单", "2520000 CNY", "lost", "2026-11-20"),
            ("carl", "赢单", "80000 CNY", "won", "2026-11-25"), ("carl", "明年", "10000 CNY", "qualifying", "2099-03-01"),
        ]
        for (rep, title, amount, stage, close) in deals {
            let deal = try Self.id(
                scratch, ["opp", "add", title, "--customer", card, "--amount", amount, "--set", "closeDate=\(close)"],
                laptop: rep)
            try Self.ok(scratch, ["opp", "stage", deal, stage], laptop: rep)
        }
        let complaint = try Self.id(scratch, ["complaint", "add", "--customer", card, "--category", "delivery"])
        try Self.ok(scratch, ["complaint", "edit", complaint, "--set", "dueDate=2026-01-05"])
        let visit = try Self.id(scratch, ["visit", "plan", "--customer", card, "--at", "today 09:00"])
        try Self.ok(scratch, ["visit", "complete", visit])
        try Self.ok(scratch, ["visit", "plan", "--customer", card, "--at", "today 10:00"], laptop: "carl")
        for laptop in ["ana", "carl", "mia"] { try Self.ok(scratch, ["sync"], laptop: laptop) }

        let pipeline = try Self.ok(scratch, ["pipeline", "--by", "rep,stage"], laptop: "mia")
        for expected in [
            "Open deals: 2 deals", "ana    presenting  1      50,000.00 CNY", "carl   qualifying  1", "TOTAL",
            "60,000.00 CNY", "Closed deals", "carl  won      1      80,000.00 CNY",
            "ana   lost     1      2,520,000.00 CNY",
            "Win rate 50% of 2 closed deals, 3% of their amount", "as of its last sync",
        ] {
            #expect(pipeline.contains(expected), "\(expected): \(pipeline)")
        }
        let quarter = try Self.ok(scratch, ["pipeline", "--closing", "2026-Q4", "--by", "territory"], laptop: "mia")
        #expect(quarter.contains("Open deals closing 2026-Q4 (2026-10-01 to 2027-01-01): 1 deal"), "\(quarter)")
        #expect(quarter.contains("east       1      50,000.00 CNY"), "\(quarter)")
        let moved = try Self.ok(scratch, ["pipeline", "--since", "7d", "--json"], laptop: "mia")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(moved.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["outcome"] as? String } == ["open", "open", "won", "lost"], "\(rows)")
        #expect(try Self.ok(scratch, ["pipeline", "--since", "2099-01-01"], laptop: "mia").contains("0 deals"))

        let review = try Self.ok(scratch, ["review", "--stale-days", "0"], laptop: "mia")
        for expected in ["stale card", "stale deal", "货架", "overdue complaint", "2026-01-05"] {
            #expect(review.contains(expected), "\(expected): \(review)")
        }
        #expect(!review.contains("赢单"), "a closed deal is not stale: \(review)")
        let carls = try Self.ok(scratch, ["review", "--stale-days", "0", "--owner", "carl"], laptop: "mia")
        #expect(carls.contains("明年") && !carls.contains("货架"), "\(carls)")

        let visits = try Self.ok(scratch, ["visits", "--by", "customer"], laptop: "mia")
        #expect(visits.contains("杭州西湖茶业  2        1          0                 50%"), "\(visits)")
        let byRep = try Self.ok(scratch, ["visits", "--json"], laptop: "mia")
        #expect(byRep.contains("\"completionRate\" : 100") && byRep.contains("\"completionRate\" : 0"), "\(byRep)")
    }

    @Test func aCRMExportImportsOnceAndAnExportImportsBackAsUpdates() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let db = scratch.dir("server.sqlite")
        try BinaryRunner.addUser("ana", db: db)
        let server = try await BinaryRunner.Server(db: db)
        defer { server.stop() }
        try Self.login(scratch, "ana", server)
        try FileManager.default.createDirectory(at: scratch.root, withIntermediateDirectories: true)
        let crm = scratch.dir("客户.csv")
        try
            ("\u{FEFF}客户名称,电话,邮箱,地址,行业,客户分类,省份\r\n杭州西湖茶业,0571-8888-0000,li@xihu.cn,西湖区龙井路1号,茶叶,A,浙江\r\n"
            + "宁波港机,0574-2222-3333,,宁波北仑,机械,B,浙江\r\n")
            .write(toFile: crm, atomically: true, encoding: .utf8)
        let unmapped = try scratch.fieldsync("ana", ["import", "customers", crm])
        #expect(unmapped.status == 1 && unmapped.error.contains("'省份'") && unmapped.error.contains("--map"))
        #expect(try Self.ok(scratch, ["--json", "customer", "list"]) == "[\n\n]\n", "a refused file changed nothing")
        let first = try Self.ok(scratch, ["import", "customers", crm, "--map", "省份=region"])
        #expect(first.hasPrefix("Imported 2 customers; 0 lines failed."), "\(first)")
        let card = try Self.ok(scratch, ["--json", "customer", "show", "杭州西湖茶业"])
        for value in ["\"owner\" : \"ana\"", "\"territory\" : \"east\"", "\"region\" : \"浙江\"", "西湖区龙井路1号"] {
            #expect(card.contains(value), "\(value): \(card)")
        }
        let again = try Self.ok(scratch, ["import", "customer", crm, "--map", "省份=region"])
        #expect(again.contains("Imported 0 customers, 2 duplicates left out"), "\(again)")
        #expect(again.contains("line 2 is already here as 杭州西湖茶业"), "\(again)")

        let exported = scratch.dir("export.csv")
        let csv = try scratch.fieldsync("ana", ["export", "customers"]).output
        try csv.replacingOccurrences(of: "茶叶", with: "茶业").write(toFile: exported, atomically: true, encoding: .utf8)
        let back = try Self.ok(scratch, ["import", "customers", exported])
        #expect(back.hasPrefix("Imported 1 customer (0 new, 1 updated, 1 unchanged)"), "\(back)")
        #expect(try Self.ok(scratch, ["--json", "customer", "show", "杭州西湖茶业"]).contains("茶业"))

        let contacts = scratch.dir("contacts.csv")
        try "姓名,客户,职务,手机\n王经理,杭州西湖茶业,采购经理,138-0013-8000\n李工,宁波港机,工程师,139-1111-2222\n坏人,不存在的客户,,\n"
            .write(toFile: contacts, atomically: true, encoding: .utf8)
        let people = try scratch.fieldsync("ana", ["import", "contacts", contacts])
        #expect(
            people.status == 1 && people.output.hasPrefix("Imported 2 contacts; 1 line failed."), "\(people.output)")
        #expect(people.output.contains("line 4: No record matches '不存在的客户'"), "\(people.output)")
        let deals = scratch.dir("deals.csv")
        try "商机名称,客户,金额,预计成交日期,销售阶段\n年度框架,杭州西湖茶业,\"129,999\",2026-12-31,presenting\n"
            .write(toFile: deals, atomically: true, encoding: .utf8)
        #expect(try Self.ok(scratch, ["import", "opps", deals]).hasPrefix("Imported 1 opportunity;"))
        let deal = try Self.ok(scratch, ["--json", "opp", "show", "年度框架"])
        #expect(deal.contains("\"minor\" : 12999900") && deal.contains("\"owner\" : \"ana\""), "\(deal)")
        let synced = try Self.ok(scratch, ["sync"])
        #expect(synced.contains("rejected 0"), "\(synced)")
    }

    /// `PATH` with the folder of the built binaries first, for a shell running `fieldsync`.
    static var path: String {
        let binaries = (try? BinaryRunner.binary("fieldsync").deletingLastPathComponent().path) ?? ""
        return binaries + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    }
}
