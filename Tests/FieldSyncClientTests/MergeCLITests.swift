import FieldSyncModel
import Foundation
import TestSupport
import Testing

/// A manager cleaning up after a trade fair with the real binaries: `customer add` warns of a likely duplicate,
/// `dupes` lists the pair, `customer merge` folds it, and the rep's offline edit and lookups follow the merge.
@Suite struct MergeCLITests {
    @Test func aManagerFindsAndMergesADuplicateAndTheRepsLookupsFollowIt() async throws {
        let scratch = CLITests.Scratch()
        defer { scratch.remove() }
        let db = scratch.dir("server.sqlite")
        try BinaryRunner.addUser("ana", db: db)
        try BinaryRunner.addUser("carl", db: db)
        try BinaryRunner.addUser("mia", db: db, role: "manager", territory: "hq")
        let server = try await BinaryRunner.Server(db: db)
        defer { server.stop() }
        for user in ["ana", "carl", "mia"] {
            let login = try scratch.fieldsync(
                user, ["login", "--server", server.url, "--user", user, "--password-stdin"], stdin: "s3cret-password\n"
            )
            #expect(login.status == 0, "\(login.error)")
        }
        func line(_ outcome: BinaryRunner.Outcome) -> String {
            outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let kept = line(
            try scratch.fieldsync(
                "ana", ["customer", "add", "杭州明达机械有限公司", "--territory", "east", "--set", "phone=0571-8888-0001"]))
        #expect(try scratch.fieldsync("ana", ["sync"]).status == 0)
        #expect(try scratch.fieldsync("carl", ["sync"]).status == 0)
        // carl met the same customer and types the card again: he is warned, and it is saved all the same.
        let added = try scratch.fieldsync(
            "carl", ["customer", "add", "杭州明达机械 (集团)", "--territory", "east", "--set", "phone=０５７１ 8888 0001"])
        #expect(added.status == 0, "\(added.error)")
        let dup = line(added)
        #expect(added.error.contains("looks like 杭州明达机械有限公司 (\(kept))"), "\(added.error)")
        #expect(added.error.contains("fieldsync customer merge \(kept) \(dup)"), "\(added.error)")
        #expect(try scratch.fieldsync("carl", ["note", "add", dup, "展会上认识"]).status == 0)
        #expect(try scratch.fieldsync("carl", ["sync"]).status == 0)
        // carl edits his card offline; meanwhile the manager finds the pair and merges it.
        #expect(try scratch.fieldsync("carl", ["customer", "edit", dup, "--set", "email=buy@mingda.cn"]).status == 0)
        #expect(try scratch.fieldsync("mia", ["sync"]).status == 0)
        let dupes = try scratch.fieldsync("mia", ["dupes"])
        #expect(dupes.output.contains("100") && dupes.output.contains("the same name, the same phone number"))
        let json = try scratch.fieldsync("mia", ["--json", "dupes"])
        let pairs = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        #expect(pairs?.count == 1 && pairs?.first?["score"] as? Int == 100, "\(json.output)")
        let refused = try scratch.fieldsync("carl", ["customer", "merge", kept, dup])
        #expect(refused.status == 1 && refused.error.contains("Only managers and admins merge"), "\(refused.error)")
        let merged = try scratch.fieldsync("mia", ["customer", "merge", kept, dup])
        #expect(merged.status == 0 && merged.output.contains("Merged 杭州明达机械 (集团) (\(dup)) into"), "\(merged.error)")
        #expect(try scratch.fieldsync("mia", ["sync"]).status == 0)
        #expect(try scratch.fieldsync("carl", ["sync"]).status == 0)

        // carl's lookups of his card lead to the one kept, with a note; his offline edit is on it.
        let shown = try scratch.fieldsync("carl", ["--json", "customer", "show", dup])
        #expect(shown.status == 0 && shown.error.contains("\(dup) was merged into \(kept)"), "\(shown.error)")
        #expect(shown.output.contains(kept) && shown.output.contains("buy@mingda.cn"), "\(shown.output)")
        let list = try scratch.fieldsync("carl", ["--json", "customer", "list"])
        #expect(!list.output.contains(dup) && list.output.contains(kept), "\(list.output)")
        let history = try scratch.fieldsync("carl", ["history", dup])
        #expect(history.output.contains("merged into") && history.output.contains(kept), "\(history.output)")
        #expect(try scratch.fieldsync("mia", ["dupes"]).output.contains("No likely duplicates"))
        // The manager's reports count the customer once: the merged card is in no review.
        let review = try scratch.fieldsync("mia", ["--json", "review", "--stale-days", "0"])
        #expect(review.status == 0 && review.output.contains(kept) && !review.output.contains(dup), "\(review.output)")
    }

    @Test func anImportReportsLikelyDuplicatesAndCanLeaveThemOut() throws {
        let scratch = CLITests.Scratch()
        defer { scratch.remove() }
        let kept = try scratch.fieldsync(
            "ana", ["customer", "add", "杭州明达机械有限公司", "--territory", "east", "--set", "phone=0571-88880001"])
        try #require(kept.status == 0, "\(kept.error)")
        let csv = scratch.dir("customers.csv")
        try FileManager.default.createDirectory(atPath: scratch.dir(""), withIntermediateDirectories: true)
        try "name,territory,phone,email\n杭州明达机械,east,0571 8888 0001,\n宁波海天塑机,east,,a@b.cn\n宁波海天塑机集团,east,,A@B.cn\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let first = try scratch.fieldsync("ana", ["import", "customers", csv])
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("Imported 3 customers"), "\(first.output)")
        #expect(first.output.contains("line 2 looks like 杭州明达机械有限公司"), "\(first.output)")
        #expect(first.output.contains("line 4 looks like 宁波海天塑机 ("), "\(first.output)")
        let again = try scratch.fieldsync("ana", ["--json", "import", "customers", csv, "--skip-duplicates"])
        let report = try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any]
        #expect(report?["imported"] as? Int == 0 && report?["skipped"] as? Int == 3, "\(again.output)")
        let list = try scratch.fieldsync("ana", ["--json", "customer", "list"])
        let cards = try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [Any]
        #expect(cards?.count == 4, "a second import of the same rows created cards")
    }
}
