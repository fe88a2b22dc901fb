#!/usr/bin/env python3
"""Mutation testing: deliberate breakages of the merge, push, pull and rebase code that the suite must catch.

Each mutant replaces one exact passage of one source file (it must occur exactly once), rebuilds incrementally in the
normal build folder (only the test bundle, unless its suites run the binaries), and runs only the suites that guard
that code. The suite must fail; a mutant that survives is a
hole in the tests and fails the run. The sources are restored after every mutant (also on Ctrl-C), and the clean tree
is rebuilt at the end so the build folder matches the sources.

    scripts/mutants.py            # today's fifth of the mutants (CI's test command; the others the next four days)
    scripts/mutants.py --all      # every mutant (about 20 minutes on this machine kind)
    scripts/mutants.py NAME...    # only these

A mutant costs a rebuild of the test bundle (20-40 s here), so CI runs a fifth of them, rotating by the date: every
mutant runs every fifth day, and every day each mutant's passage is checked to still be in its file exactly once, so
a mutant that no longer applies fails the run at once. This keeps the whole test command under 30 minutes cold.

Each mutant prints one line of the kill table; BENCHMARKS.md records the table.
"""
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = "Sources/FieldSyncModel/"
SERVER = "server/Sources/FieldSyncServer/"
CLIENT = "client/Sources/FieldSyncClient/"
MERGE = "FieldSyncModelTests.MergePropertyTests/|FieldSyncModelTests.MergeVectorTests/"
SYNC = "FieldSyncClientTests.SyncPropertyTests/|FieldSyncClientTests.ClientLibraryTests/"
PUSH = "FieldSyncServerTests.PushTests/|FieldSyncServerTests.MergeRuleTests/|FieldSyncServerTests.WireVectorTests/"
RECOVERY = "FieldSyncClientTests.RecoveryTests/"
HARDENING = "FieldSyncServerTests.HardeningTests/"
API_FUZZ = "FieldSyncServerTests.APIFuzzTests/"
CONSOLE = "FieldSyncServerTests.ConsoleBrowserTests/"
SIM = "FieldSyncSimTests.SimulationTests/aSeedReplaysTheRunByteForByte"
VERSIONS = "FieldSyncClientTests.SchemaVersionTests/"
RENAMED = "FieldSyncClientTests.RenamedFieldTests/|FieldSyncModelTests.SchemaVersionModelTests/"
DOMAIN = "FieldSyncServerTests.DomainRuleTests/|FieldSyncModelTests.DomainShapeTests/"
CLI = "client/Sources/fieldsync/"
RECORD_MERGE = ("FieldSyncModelTests.RecordMergePropertyTests/|FieldSyncServerTests.RecordMergeTests/"
                "|FieldSyncClientTests.RecordMergeSyncTests/")

# Suites that run the built binaries: a mutant guarded by one rebuilds them too.
RUN_BINARIES = ("APIFuzzTests", "ConsoleBrowserTests", "MultiNodeTests", "CLITests", "ReadmeTranscriptTests")

# (name, file, [(original, replacement)], test filter)
MUTANTS = [
    ("deletes never win", MODEL + "RecordState.swift",
     [("        return unseenByDeletes.isEmpty\n", "        return false\n")], MERGE),
    ("delete always wins", MODEL + "RecordState.swift",
     [("        return unseenByDeletes.isEmpty\n", "        return true\n")], MERGE),
    ("restores ignored", MODEL + "RecordState.swift",
     [("        case .restore(_, let bases):\n", "        case .restore(_, let bases):\n            if !bases.isEmpty { return false }\n")],
     MERGE),
    ("field bases ignored", MODEL + "FieldState.swift", [("        if !bases.isEmpty {\n", "        if false {\n")], MERGE),
    ("tag remove cancels unseen adds", MODEL + "TagSet.swift",
     [("let kept = heads.filter { !bases.contains($0.id) }", "let kept = [Head]()")], MERGE),
    ("stage rank reversed", MODEL + "WinnerRule.swift",
     [("value.text.flatMap { ranks[$0] } ?? -1", "value.text.flatMap { ranks[$0].map { -$0 } } ?? -1")], MERGE),
    ("earlier write wins", MODEL + "FieldState.swift",
     [("if lhs.hlc != rhs.hlc { return lhs.hlc < rhs.hlc }", "if lhs.hlc != rhs.hlc { return lhs.hlc > rhs.hlc }")],
     MERGE),
    ("first create to arrive names the entity", MODEL + "RecordState.swift",
     [("if let existing = creation, (existing.hlc, existing.id) <= (hlc, id) { return false }",
       "if creation != nil { return false }")], MERGE),
    ("clock counter wraps", MODEL + "HybridLogicalClock.swift",
     [("return HLCTimestamp(wallMs: wall + 1, counter: 0, replica: replica)",
       "return HLCTimestamp(wallMs: wall, counter: 0, replica: replica)")],
     "FieldSyncModelTests.HybridLogicalClockTests/"),
    ("idempotency off: the last mutation is applied again", SERVER + "Sync/PushProcessor.swift",
     [("if mutation.seq <= lastSeq {", "if mutation.seq < lastSeq {"),
      ("guard mutation.seq == lastSeq + 1 else {", "guard mutation.seq >= lastSeq else {")], PUSH + "|" + SYNC),
    ("foreign bases accepted", SERVER + "Sync/PushProcessor.swift",
     [("guard let resolved, write.canBuild(on: resolved) else {", "guard resolved != nil || true else {")], PUSH),
    ("child under a deleted customer accepted", SERVER + "Sync/PushProcessor.swift",
     [("                !stored.state.exists\n", "                !stored.state.exists && false\n")], PUSH),
    ("server keeps superseded ids", SERVER + "Sync/PushProcessor.swift",
     [("            record.state.forgetSuperseded()\n", "")], PUSH),
    ("no lock on a record id two nodes create at once", SERVER + "Stores/Postgres/PostgresStore+Sync.swift",
     [("            if !ids.isEmpty {\n                try await connection.query(\n                    \"SELECT pg_advisory_xact_lock",
       "            if false {\n                try await connection.query(\n                    \"SELECT pg_advisory_xact_lock")],
     "FieldSyncServerTests.MultiNodeTests/twoNodesCreatingOneRecordIdAtOnce"),
    ("cursor advanced past an uncommitted number", SERVER + "Sync/PullPlanner.swift",
     [("max(rows.changeSeq, reset ? 0 : max(", "max(rows.changeSeq + 1, reset ? 0 : max(")],
     "FieldSyncServerTests.PullTests/|FieldSyncServerTests.PullPlannerTests/|" + SYNC),
    ("acknowledged edit retired at the cursor", CLIENT + "LocalStore+Sync.swift",
     [("            if !page.more {\n                touched += try retireAcknowledged(upTo: page.changeSeq, db)\n",
       "            touched += try retireAcknowledged(upTo: page.changeSeq, db)\n            if !page.more {\n")],
     SYNC),
    ("pending edits not replayed over a pulled state", CLIENT + "LocalStore.swift",
     [("for pendingRow in replayed {", "for pendingRow in replayed.prefix(0) {")], SYNC),
    ("a different mutation under a used seq is a duplicate", SERVER + "Sync/PushProcessor.swift",
     [("if let known, known != digest {", "if let known, known != digest && false {")], RECOVERY),
    ("a territory added brings only its new changes", SERVER + "Sync/PullPlanner.swift",
     [("base: $0.base, added: now.subtracting(earlier).sorted()", "base: $0.base, added: []")],
     "FieldSyncServerTests.PullTests/|FieldSyncServerTests.PullPlannerTests/"),
    ("a pipelined push starts one past the batch before", CLIENT + "SyncEngine.swift",
     [("offerPending(after: mutations.last!.seq, limit: pushBatch)",
       "offerPending(after: mutations.last!.seq + 1, limit: pushBatch)")], SYNC),
    ("a view is rebased in bulk over a pending edit", CLIENT + "LocalStore.swift",
     [("AND NOT EXISTS (SELECT 1 FROM pending_records WHERE pending_records.record = records.id)", "")],
     SYNC + "|FieldSyncClientTests.PagedFirstSyncTests/"),
    ("memory is given back with laptops connected", SERVER + "App/QuietMemoryRelease.swift",
     [("guard registry.count == 0 else { continue }", "guard registry.count >= 0 else { continue }")],
     "FieldSyncServerTests.RunningServerTests/"),
    ("a territory taken away stays on the laptop", SERVER + "Sync/PullPlanner.swift",
     [("removed: earlier.subtracting(now).sorted())", "removed: [])")],
     "FieldSyncServerTests.PullTests/|FieldSyncServerTests.PullPlannerTests/"),
    ("a cursor of another generation pages on", SERVER + "Sync/PullPlanner.swift",
     [("issuer != rows.generation { return true }", "issuer != rows.generation { return false }")],
     "FieldSyncServerTests.PullPlannerTests/"),
    ("a restored server is not re-offered kept work", CLIENT + "LocalStore+Recovery.swift",
     [("SELECT * FROM acked WHERE seq > ? ORDER BY seq", "SELECT * FROM acked WHERE seq > ? AND 0 ORDER BY seq")],
     RECOVERY),
    ("a receipt vouches for nothing: a re-offer is refused by what changed since", SERVER + "Sync/PushProcessor.swift",
     [("try apply(mutation, by: principal, vouched: vouched, to: &state)",
       "try apply(mutation, by: principal, vouched: false, to: &state)")], RECOVERY),
    ("any receipt vouches for any mutation", SERVER + "Sync/PushProcessor.swift",
     [("AcknowledgementReceipt.verify($0, digest: digest, user: user, key: key)", "!$0.isEmpty || key.isEmpty")], PUSH),
    ("a corrected clock is never brought back", CLIENT + "LocalStore+Recovery.swift",
     [("guard stored.wallMs > truth + bound else { return 0 }", "guard false else { return 0 }")], RECOVERY),
    ("a login slot is taken only after the password check", SERVER + "Accounts/LoginLimiter.swift",
     [("        byUser[user, default: []].append(nowMs)\n", "")], HARDENING),
    ("records grow without bound", MODEL + "Schema+Validation.swift",
     [("guard size <= maxRecordBytes else {", "guard size <= maxRecordBytes || true else {")], HARDENING),
    ("a push out of seq order is refused only after its commit", SERVER + "Controllers/SyncController.swift",
     [("        guard zip(body.mutations, body.mutations.dropFirst()).allSatisfy({ $0.seq <= $1.seq }) else {\n"
       "            throw ServerError.badRequest(\"Mutations in a push must be in seq order, oldest first.\")\n"
       "        }\n", ""),
      ("        let results = commit.results\n",
       "        let results = commit.results\n"
       "        guard zip(body.mutations, body.mutations.dropFirst()).allSatisfy({ $0.seq <= $1.seq }) else {\n"
       "            throw ServerError.badRequest(\"Mutations in a push must be in seq order, oldest first.\")\n"
       "        }\n")], API_FUZZ),
    ("a replica request is read loosely", SERVER + "Controllers/AuthController.swift",
     [("request.decode(as: StrictKeys.Body<ReplicaRequest>.self, context: context).value",
       "request.decode(as: ReplicaRequest.self, context: context)")], API_FUZZ),
    ("console forms accepted without their CSRF token", SERVER + "Console/ConsoleController.swift",
     [("ConsoleSession.csrfMatches(presented, token: token)", "ConsoleSession.csrfMatches(presented, token: token) || true")],
     CONSOLE + "aFormWithoutItsCSRFToken"),
    ("console writes based on the record as it is now, not as the page showed it", SERVER + "Console/ConsoleController.swift",
     [("write = .set(record: record, field: field, value: value, bases: shown)",
       "write = .set(record: record, field: field, value: value, bases: state.fields[field]?.heads.map(\\.id) ?? shown)")],
     CONSOLE + "anEditThatArrived"),
    ("console's team page lists everyone to a rep", SERVER + "Accounts/Visibility.swift",
     [("case .rep: member.id == user.id", "case .rep: true")], CONSOLE + "aRepFindsNothing"),
    ("a merge takes in none of the duplicate's fields", MODEL + "RecordState.swift",
     [("for (name, state) in other.fields where !RecordMerge.keptFields.contains(name) {",
       "for (name, state) in other.fields where false {")], RECORD_MERGE),
    ("writes to a merged customer stay on it", MODEL + "RecordMerge.swift",
     [("            current = next\n", "            return current\n")], RECORD_MERGE),
    ("a merge leaves the children under the duplicate", SERVER + "Sync/PushProcessor.swift",
     [("children: children.map { ($0.id, $0.state) }, firstAdded: added)", "children: [], firstAdded: added)")],
     RECORD_MERGE),
    ("a pending edit to a merged customer drops out of the laptop's view", CLIENT + "LocalStore.swift",
     [("let write = try original.redirected(references: Self.references) { try Self.survivor($0, db) }",
       "let write = original")], RECORD_MERGE),
    ("a seeded laptop draws its ids from the system's random numbers", CLIENT + "IDSource.swift",
     [("var random = seeded ?? SeededGenerator(", "var random = SeededGenerator(")], SIM),
    ("a version-1 pull carries what version 1 lacks", SERVER + "Controllers/PullEncoder.swift",
     [("from: Data(state)).seen(by: older) else {", "from: Data(state)).seen(by: Schema.fieldSync) else {")],
     VERSIONS),
    ("a version-1 push is read as the newest version", SERVER + "Controllers/SyncController.swift",
     [("        processor.olderSchema = context.olderSchema\n", "")], VERSIONS),
    ("an upgraded laptop keeps the records its old version pulled", CLIENT + "LocalStore+Sync.swift",
     [("guard try pulledUnderAnotherVersion(db) else { return", "guard try pulledUnderAnotherVersion(db) && false else { return")],
     VERSIONS),
    ("a base recorded under a field's old name is refused", SERVER + "Sync/PushProcessor.swift",
     [("field: target.field.map { field in entity.map { schema.currentName(field, of: $0) } ?? field },",
       "field: target.field,")], RENAMED),
    ("a state stored before a rename keeps the old name", MODEL + "RecordState+Coding.swift",
     [("        renameOldFields()\n", "")], RENAMED),
    ("migrate overwrites a state a push changed meanwhile", SERVER + "Stores/SQLite/SQLiteStore+Upgrade.swift",
     [('"UPDATE records SET state = ? WHERE id = ? AND state = ?"',
       '"UPDATE records SET state = ? WHERE id = ? AND ? IS NOT NULL"')], RENAMED),
    ("the laptop's days are UTC days", CLIENT + "LocalTime.swift",
     [("        calendar.timeZone = zone\n", "        calendar.timeZone = TimeZone(identifier: \"UTC\")!\n")],
     "FieldSyncClientTests.ValueParserTests/"),
    ("a rep moves a workflow back", MODEL + "Schema+Validation.swift",
     [("        guard !mayReopen else { return }\n", "        return\n")], DOMAIN),
    ("any text is a phone number", MODEL + "FieldSpec.swift",
     [("            return rest.count(where: \\.isDigit) >= 3\n", "            return true\n                || true\n"),
      ("            return bytes[..<end].count(where: ASCII.isDigit) >= 3\n", "            return true\n                || true\n")],
     DOMAIN),
    ("an undone edit stays in the laptop's view", CLIENT + "LocalStore+Pending.swift",
     [("            try recompute(mutation.records, db)\n", "")],
     "FieldSyncClientTests.RepWeekCLITests/unsentEditsAreUndone"),
    ("search is case-sensitive", CLIENT + "RecordSearch.swift",
     [("options: [.caseInsensitive, .widthInsensitive, .diacriticInsensitive]", "options: [.widthInsensitive]")],
     "FieldSyncClientTests.RepWeekCLITests/searchFinds"),
    ("the README's import line drifts", CLI + "Commands/Import.swift",
     [('            "Imported "\n', '            "Added "\n')], "FieldSyncClientTests.ReadmeTranscriptTests/"),
    ("any row with nothing to replay is taken as describing its confirmed state", CLIENT + "LocalStore.swift",
     [("row?[\"plain\"] == true || described.contains(id)", "true")],
     "FieldSyncClientTests.PagedFirstSyncTests/|" + SYNC + "|" + RECOVERY),
    ("a view is taken as confirmed with edits left to replay", CLIENT + "LocalStore.swift",
     [("            if held, replayed.isEmpty, ", "            if held, ")], "FieldSyncClientTests.PagedFirstSyncTests/|" + SYNC),
    ("the mutation reader takes any key", MODEL + "MutationReader.swift",
     [("let allowed = Self.writeKeys[op], keys.isSubset(of: allowed),", "Self.writeKeys[op] != nil,")],
     "FieldSyncModelTests.FastPathTests/"),
    ("an e-mail read as bytes may hold two @", MODEL + "FieldSpec.swift",
     [("            return !domain.contains(UInt8(ascii: \"@\")) && ", "            return ")],
     "FieldSyncModelTests.FastPathTests/"),
    ("the state reader drops the merge a redirect carries", MODEL + "RecordState+CompactReading.swift",
     [("merged: mergedHeads.first)", "merged: nil)")], "FieldSyncModelTests.FastPathTests/|" + MERGE),
    ("a refused edit in a batch takes a seq", CLIENT + "LocalStore+Edit.swift",
     [("        let (seq, hlc) = (editor.seq, editor.clock.now(physicalMs: now()))\n",
       "        let (seq, hlc) = (editor.seq, editor.clock.now(physicalMs: now()))\n        editor.seq = seq + 1\n"),
      ("        editor.seq = seq + 1\n        // The builder's", "        // The builder's")], SYNC),
    ("an import keeps the spaces after a cell", CLI + "Support/ImportPlan.swift",
     [("            spaces.contains(first) || spaces.contains(last)\n", "            spaces.contains(first)\n")],
     "FieldSyncClientTests.CLITests/csvImport"),
    ("an upgraded laptop counts every waiting change as an edit", CLIENT + "LocalStore.swift",
     [("mutation.writes.first?.record.rawValue, PendingGroup.kind(of: mutation), row[\"seq\"] as Int64,",
       "nil, \"edit\", row[\"seq\"] as Int64,")], "FieldSyncClientTests.ClientLibraryTests/"),
    ("the dry run counts every new change as an edit", CLIENT + "LocalStore+Edit.swift",
     [("mutation.writes.first?.record.rawValue, PendingGroup.kind(of: mutation),",
       "mutation.writes.first?.record.rawValue, \"edit\",")], "FieldSyncClientTests.CLITests/theDryRun"),
    ("a catch-up reads an added territory only after the old cursor", SERVER + "Stores/SQLite/SQLiteStore+Sync.swift",
     [("arm(added, after: query.since,", "arm(added, after: max(query.since, catchUp.base),")],
     "FieldSyncClientTests.ClientLibraryTests/|FieldSyncServerTests.PullTests/"),
    ("a catch-up sends a territory taken away as records, not removals", SERVER + "Stores/SQLite/SQLiteStore+Sync.swift",
     [("let columns = removal ? \"1, X''\" : \"deleted, state\"", "let columns = \"deleted, state\"")],
     "FieldSyncClientTests.ClientLibraryTests/|FieldSyncServerTests.PullTests/"),
    ("the state reader files every tag under one element", MODEL + "RecordState+CompactReading.swift",
     [("Dictionary(grouping: heads) { $0.value.text ?? \"\" }", "Dictionary(grouping: heads) { _ in \"\" }")],
     "FieldSyncModelTests.FastPathTests/|" + MERGE),
    ("a push that fails in a group keeps what it wrote", SERVER + "Stores/SQLite/GroupCommit.swift",
     [("""                        var committed: Committed?
                        try db.inSavepoint {
                            committed = try waiting.work(db, soFar)
                            return .commit
                        }
                        return committed!""", "                        try waiting.work(db, soFar)")],
     "FieldSyncServerTests.GroupCommitTests/"),
    ("every push commits alone", SERVER + "Stores/SQLite/GroupCommit.swift",
     [("taken == 0 || held + queue.waiting[taken].mutations <= maxMutations", "taken == 0")],
     "FieldSyncServerTests.GroupCommitTests/"),
    ("a state the group wrote is cached before its commit", SERVER + "Stores/SQLite/SQLitePushSource.swift",
     [("if version <= group.committedThrough {", "if true {")], "FieldSyncServerTests.GroupCommitTests/"),
    ("a push reads a state the group wrote at another version", SERVER + "Stores/SQLite/SQLitePushSource.swift",
     [("let written = group.written[id], written.version == version", "let written = group.written[id]")],
     "FieldSyncServerTests.GroupCommitTests/"),
]


# Fewer seeded sync schedules than a full run: each mutant they guard is killed within the first ones, and they are
# the slowest of the suites a mutant runs.
MUTANT_ENVIRONMENT = {"FIELDSYNC_SYNC_SCHEDULES": "15"}


def run(command, environment=None):
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(environment or {})})
    return result.returncode, result.stdout


def mutated(file, edits):
    """The text of `file` with `edits` made, or None when a passage to replace is not in it exactly once."""
    text = (ROOT / file).read_text()
    for old, new in edits:
        if text.count(old) != 1:
            return None
        text = text.replace(old, new)
    return text


def main():
    arguments = sys.argv[1:]
    chosen = [a for a in arguments if a != "--all"]
    if chosen:
        mutants = [m for m in MUTANTS if m[0] in chosen]
        if len(mutants) != len(chosen):
            known = "\n  ".join(m[0] for m in MUTANTS)
            sys.exit(f"Unknown mutant name; the mutants are:\n  {known}")
        scope = ""
    elif "--all" in arguments:
        mutants, scope = MUTANTS, ""
    else:
        day = datetime.date.today().toordinal() % 5
        mutants = [m for index, m in enumerate(MUTANTS) if index % 5 == day]
        scope = f" of {len(MUTANTS)} (today's fifth; the others run the next four days, --all runs every one)"
    survivors, broken = [], []
    for name, file, edits, _ in MUTANTS:
        if mutated(file, edits) is None:
            broken.append(name)
            print(f"  BROKEN   {name}: the passage to mutate is not in {file} exactly once", flush=True)
    print(f"mutation testing: {len(mutants)} mutants{scope}", flush=True)
    started = time.time()
    for name, file, edits, filter in mutants:
        path = ROOT / file
        original = path.read_text()
        text = mutated(file, edits)
        if text is not None:
            begun = time.time()
            try:
                path.write_text(text)
                binaries = any(suite in filter for suite in RUN_BINARIES)
                code, output = run(["swift", "build", "--build-tests"] if binaries
                                   else ["swift", "build", "--product", "FieldSyncPackageTests"])
                if code != 0:
                    broken.append(name)
                    verdict = "BROKEN   (does not compile)"
                else:
                    code, output = run(["swift", "test", "--skip-build", "--filter", filter], MUTANT_ENVIRONMENT)
                    verdict = "killed  " if code != 0 else "SURVIVED"
                    if code == 0:
                        survivors.append(name)
            finally:
                path.write_text(original)
            print(f"  {verdict} {name} ({file.split('/')[-1]}; {time.time() - begun:.0f} s)", flush=True)
    code, output = run(["swift", "build", "--build-tests"])
    if code != 0:
        sys.exit("The restored sources do not build:\n" + output[-2000:])
    killed = len([m for m in mutants if m[0] not in survivors + broken])
    print(f"mutation testing: {killed} of {len(mutants)} killed in {time.time() - started:.0f} s", flush=True)
    if survivors or broken:
        sys.exit(f"mutants survived or could not be applied: {', '.join(survivors + broken)}")


if __name__ == "__main__":
    main()
