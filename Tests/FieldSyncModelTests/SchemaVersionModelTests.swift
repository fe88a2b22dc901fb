import FieldSyncModel
import Testing

/// The schema's versions as data: version 1 derived from the newest, what a version-1 laptop is shown, and the byte
/// markers that let the server splice a state untouched when version 1 lacks nothing in it.
@Suite struct SchemaVersionModelTests {
    static let v1 = Schema.fieldSync(version: 1)!

    @Test func versionOneIsTheNewestWithVersionTwosChangesTakenOut() throws {
        #expect(Self.v1.version == 1 && Schema.fieldSync.version == 2)
        #expect(!Self.v1.has(.lineItem) && Schema.fieldSync.has(.lineItem))
        #expect(Self.v1[.contact]["wechat"] == nil && Schema.fieldSync[.contact]["wechat"] != nil)
        guard case .choice(let roles) = try #require(Self.v1[.contact]["role"]).type else {
            Issue.record("contact.role is a choice")
            return
        }
        #expect(!roles.contains("champion") && roles.contains("decisionMaker"))
        #expect(Schema.fieldSync.since(.contact, field: "wechat") == 2)
        #expect(Schema.fieldSync.since(.contact, field: "name") == 1)
        #expect(Schema.fieldSync.since(.lineItem, field: "product") == 2)
        #expect(throws: ModelError.self) { try Self.v1.field("quantity", of: .lineItem) }
        // Every field version 1 has is the newest's field, with its type or a shorter list of choices.
        for entity in Self.v1.entities {
            for field in entity.fields { #expect(Schema.fieldSync[entity.kind][field.name]?.name == field.name) }
        }
    }

    @Test func aStateIsShownToVersionOneWithoutWhatItLacksAndMarkedForTheServer() {
        let markers = RecordState.compactMarkers(ofWhat: Self.v1, lacks: .fieldSync)
        var random = SeededGenerator(seed: 18)
        let fields: [EntityKind: [String]] = [
            .contact: ["name", "phone", "wechat", "role"], .opportunity: ["title", "probability", "amount"],
            .visit: ["outcome", "checkOutPlace", "checkedOutAt"], .customer: ["name", "phone"],
            .lineItem: ["product", "quantity"],
        ]
        for round in 0..<500 {
            let entity = fields.keys.sorted().randomElement(using: &random)!
            var state = RecordState()
            let replica = ReplicaID(trusted: "lap-\(round % 3)")
            let hlc = HLCTimestamp(wallMs: 1_790_000_000_000 + Int64(round), counter: 0, replica: replica)
            let id = RecordID(trusted: "r\(round)")
            state.apply(
                .create(record: id, entity: entity), id: WriteID(replica: replica, seq: 1, index: 0), hlc: hlc,
                author: "ana")
            for (index, field) in fields[entity]!.enumerated() where random.chance(50) {
                let value: Value =
                    field == "quantity" || field == "probability" ? .integer(3) : .text("\(field) \(round)")
                state.apply(
                    .set(record: id, field: field, value: value, bases: []),
                    id: WriteID(replica: replica, seq: 1, index: UInt32(index + 1)), hlc: hlc, author: "ana")
            }
            let seen = state.seen(by: Self.v1)
            let compact = state.compactJSON()
            let marked = compact.withUnsafeBufferPointer { haystack in
                markers.contains { marker in marker.withUnsafeBufferPointer { ByteSearch.contains(haystack, $0) } }
            }
            #expect(marked == (seen != state), "round \(round): \(String(decoding: compact, as: UTF8.self))")
            if let seen {
                #expect(seen.fields.keys.allSatisfy { Self.v1[entity][$0] != nil })
                #expect(seen.value("name") == state.value("name") && seen.notes == state.notes)
            } else {
                #expect(entity == .lineItem)
            }
        }
    }
}
