import FieldSyncModel
import Foundation
import Testing

@Suite struct ValidationTests {
    let schema = Schema.fieldSync
    let replica = ReplicaID(trusted: "lap")
    let customer = RecordID(trusted: "c1")

    func mutation(_ writes: [Write]) -> Mutation {
        Mutation(replica: replica, seq: 1, hlc: HLCTimestamp(wallMs: 1, counter: 0, replica: replica), writes: writes)
    }

    /// The lookup of a replica that knows one customer, `c1`.
    func knownCustomer(_ id: RecordID) -> EntityKind? { id == customer ? .customer : nil }

    func code(of writes: [Write]) -> ErrorCode? {
        do {
            try schema.validate(mutation(writes), entityOf: knownCustomer)
            return nil
        } catch { return error.code }
    }

    func set(_ field: String, _ value: Value, on record: RecordID? = nil) -> Write {
        .set(record: record ?? customer, field: field, value: value, bases: [])
    }

    @Test func aValidCreateWithRequiredFieldsPasses() {
        let id = RecordID(trusted: "o1")
        #expect(
            code(of: [
                .create(record: id, entity: .opportunity), set("customer", .text("c1"), on: id),
                set("title", .text("五台锅炉"), on: id),
                set("amount", .money(Money(minor: 129_900, currency: "CNY")), on: id),
                set("stage", .text("qualifying"), on: id), set("closeDate", .text("2028-02-29"), on: id),
            ]) == nil)
    }

    @Test func creatingWithoutRequiredFieldsIsRefusedAndNamesThem() throws {
        let id = RecordID(trusted: "v1")
        let writes: [Write] = [.create(record: id, entity: .visit), set("customer", .text("c1"), on: id)]
        #expect(throws: ModelError.self) { try schema.validate(mutation(writes), entityOf: knownCustomer) }
        do { try schema.validate(mutation(writes), entityOf: knownCustomer) } catch {
            #expect(error.code == .missingRequired)
            #expect(error.message.contains("plannedAt"))
        }
    }

    @Test(arguments: [
        (
            Write.set(record: RecordID(trusted: "c1"), field: "nickname", value: .text("x"), bases: []),
            ErrorCode.unknownField
        ),
        (.set(record: RecordID(trusted: "c1"), field: "createdBy", value: .text("admin"), bases: []), .unknownField),
        (.set(record: RecordID(trusted: "c1"), field: "class", value: .text("E"), bases: []), .valueNotAllowed),
        (.set(record: RecordID(trusted: "c1"), field: "class", value: .integer(1), bases: []), .wrongType),
        (
            .set(
                record: RecordID(trusted: "c1"), field: "phone", value: .text(String(repeating: "9", count: 41)),
                bases: []), .textTooLong
        ),
        (.set(record: RecordID(trusted: "c1"), field: "name", value: .text("a\u{0}b"), bases: []), .invalidText),
        (.set(record: RecordID(trusted: "c1"), field: "name", value: .null, bases: []), .missingRequired),
        (
            .set(
                record: RecordID(trusted: "c1"), field: "creditLimit", value: .money(Money(minor: -1, currency: "CNY")),
                bases: []), .invalidMoney
        ),
        (
            .set(
                record: RecordID(trusted: "c1"), field: "creditLimit",
                value: .money(Money(minor: Int64.max, currency: "CNY")), bases: []), .invalidMoney
        ),
        (
            .set(
                record: RecordID(trusted: "c1"), field: "creditLimit", value: .money(Money(minor: 5, currency: "yuan")),
                bases: []), .invalidMoney
        ),
        (.set(record: RecordID(trusted: "c1"), field: "creditLimit", value: .integer(5), bases: []), .wrongType),
        (.set(record: RecordID(trusted: "c1"), field: "tags", value: .text("vip"), bases: []), .wrongType),
        (.add(record: RecordID(trusted: "c1"), field: "phone", element: "x"), .wrongType),
        (.add(record: RecordID(trusted: "c1"), field: "tags", element: ""), .invalidText),
        (.note(record: RecordID(trusted: "c1"), text: ""), .invalidText),
        (.note(record: RecordID(trusted: "c9"), text: "hello"), .unknownRecord),
        (.create(record: RecordID(trusted: "c1"), entity: .customer), .recordExists),
    ])
    func badWritesAreRefusedWithTheirCode(_ write: Write, _ expected: ErrorCode) {
        #expect(code(of: [write]) == expected)
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-04-31", "26-01-01", "2026-1-01", "１２３４-01-01", ""])
    func malformedDatesAreRefused(_ text: String) {
        let id = RecordID(trusted: "o1")
        let writes: [Write] = [
            .create(record: id, entity: .opportunity), set("customer", .text("c1"), on: id),
            set("title", .text("t"), on: id),
            set("closeDate", .text(text), on: id),
        ]
        #expect(code(of: writes) == .invalidDate)
    }

    @Test(arguments: ["2026-11-25T09:30:00Z", "2000-02-29T23:59:59Z"])
    func wellFormedDateTimesPass(_ text: String) {
        #expect(CalendarText.isDateTime(text))
    }

    @Test(arguments: [
        "2026-11-25 09:30:00", "2026-11-25T24:00:00Z", "2026-11-25T09:30:00+08:00", "2026-11-25T09:60:00Z",
    ])
    func malformedDateTimesAreRefused(_ text: String) {
        #expect(!CalendarText.isDateTime(text))
    }

    @Test func referencesMustNameAnExistingRecordOfTheRightEntity() {
        let id = RecordID(trusted: "k1")
        func complaint(customer: String) -> [Write] {
            [
                .create(record: id, entity: .complaint), set("customer", .text(customer), on: id),
                set("category", .text("delivery"), on: id),
            ]
        }
        #expect(code(of: complaint(customer: "c1")) == nil)
        #expect(code(of: complaint(customer: "c404")) == .missingReference)
        #expect(code(of: complaint(customer: "not an id")) == .wrongType)
        let sameMutation: [Write] =
            [
                .create(record: RecordID(trusted: "c2"), entity: .customer),
                set("name", .text("新客户"), on: RecordID(trusted: "c2")),
                set("territory", .text("east"), on: RecordID(trusted: "c2")),
            ] + complaint(customer: "c2")
        #expect(code(of: sameMutation) == nil, "a record created earlier in the same mutation can be referenced")
    }

    @Test func mutationShapeIsChecked() {
        #expect(throws: ModelError.self) { try schema.validate(mutation([]), entityOf: knownCustomer) }
        let foreign = Mutation(
            replica: replica, seq: 1, hlc: HLCTimestamp(wallMs: 1, counter: 0, replica: ReplicaID(trusted: "other")),
            writes: [.note(record: customer, text: "hi")])
        #expect(throws: ModelError.self) { try schema.validate(foreign, entityOf: knownCustomer) }
        let tooMany = Array(repeating: Write.note(record: customer, text: "x"), count: schema.maxWritesPerMutation + 1)
        #expect(code(of: tooMany) == .tooManyWrites)
    }

    @Test func textLimitsCountCharactersNotBytes() {
        let name = String(repeating: "明", count: 200)
        #expect(code(of: [set("name", .text(name))]) == nil)
        #expect(code(of: [set("name", .text(name + "达"))]) == .textTooLong)
    }

    @Test func injectionShapedTextIsStoredVerbatim() {
        #expect(code(of: [set("remarks", .text("'); DROP TABLE records; -- <script>alert(1)</script>"))]) == nil)
    }

    @Test func errorsSayWhatIsAllowed() {
        do {
            try schema.validate(mutation([set("temperature", .text("lukewarm"))]), entityOf: knownCustomer)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("hot, warm, cold"))
        }
    }

    @Test func everyEntityHasItsRequiredFieldsAndStageProbabilities() {
        #expect(schema[.customer].requiredFields.map(\.name) == ["name", "territory"])
        #expect(OpportunityStage.all.count == 8)
        #expect(OpportunityStage.named("closing")?.probability == 80)
        #expect(schema[.customer]["territory"]?.managed == true)
    }
}

@Suite struct SchemaDocsTests {
    /// protocol/SCHEMA.md is generated from the schema table; regenerate with `fieldsync fields --markdown`.
    @Test func protocolSchemaDocMatchesTheTable() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/SCHEMA.md")
        let text = try String(contentsOf: path, encoding: .utf8)
        #expect(
            text == Schema.fieldSync.markdown(),
            "protocol/SCHEMA.md is stale: run `swift run fieldsync fields --markdown > protocol/SCHEMA.md`")
    }

    @Test func rulesReadAsTheyWork() {
        #expect(
            Schema.fieldSync[.visit]["status"]?.rule.summary
                == "planned < cancelled = missed < completed, then latest timestamp")
        #expect(WinnerRule.latest.summary == "latest timestamp")
    }
}

/// The shapes of e-mail addresses and phone numbers, and workflows that move only forward.
@Suite struct DomainShapeTests {
    @Test func emailsAndPhonesAreCheckedForShape() {
        for good in ["li@xihu.cn", "a.b+sales@mail.example.com"] { #expect(TextFormat.email.accepts(good), "\(good)") }
        for bad in ["notanemail", "li@xihu", "@xihu.cn", "li@@xihu.cn", "li @xihu.cn", "li@xihu..cn"] {
            #expect(!TextFormat.email.accepts(bad), "\(bad)")
        }
        for good in ["0571-8888-0000", "+86 (571) 8888 0000", "０５７１ 8888", "0571-8888 转 123", "110", "138 x 45"] {
            #expect(TextFormat.phone.accepts(good), "\(good)")
        }
        for bad in ["abc", "12", "call 0571-8888", "0571-8888 ext abc", "phone 1005"] {
            #expect(!TextFormat.phone.accepts(bad), "\(bad)")
        }
    }

    @Test func aWorkflowMovesBackOnlyForSomeoneWhoMayReopen() throws {
        let schema = Schema.fieldSync
        var stored = RecordState()
        let id = RecordID(trusted: "k1")
        let replica = ReplicaID(trusted: "lap")
        let hlc = HLCTimestamp(wallMs: 1, counter: 0, replica: replica)
        stored.apply(
            .create(record: id, entity: .complaint), id: WriteID(replica: replica, seq: 1, index: 0), hlc: hlc,
            author: "ana")
        stored.apply(
            .set(record: id, field: "step", value: .text("evaluated"), bases: []),
            id: WriteID(replica: replica, seq: 1, index: 1), hlc: hlc, author: "ana")
        func move(to step: String, mayReopen: Bool) throws {
            let mutation = Mutation(
                replica: replica, seq: 2, hlc: hlc,
                writes: [.set(record: id, field: "step", value: .text(step), bases: [])])
            try schema.checkWorkflow(mutation, stored: { $0 == id ? stored : nil }, mayReopen: mayReopen)
        }
        #expect(throws: ModelError.self) { try move(to: "rejected", mayReopen: false) }
        #expect(throws: Never.self) { try move(to: "evaluated", mayReopen: false) }
        #expect(throws: Never.self) { try move(to: "recorded", mayReopen: true) }
        #expect(Schema.fieldSync[.visit]["status"]?.forwardOnly == true)
        #expect(Schema.fieldSync[.customer]["email"]?.format == .email)
    }
}
