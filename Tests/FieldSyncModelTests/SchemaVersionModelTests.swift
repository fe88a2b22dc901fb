import FieldSyncModel
import Foundation
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
        // Every field version 1 has is one of the newest's fields (under its old name if renamed since), with its
        // type or a shorter list of choices.
        for entity in Self.v1.entities {
            for field in entity.fields {
                let newest = try Schema.fieldSync.field(field.name, of: entity.kind)
                #expect(Schema.fieldSync.name(newest.name, of: entity.kind, inVersion: 1) == field.name)
            }
        }
    }

    @Test func aStateIsShownToVersionOneWithoutWhatItLacksAndMarkedForTheServer() {
        let markers = RecordState.compactMarkers(ofWhat: Self.v1, lacks: .fieldSync)
        var random = SeededGenerator(seed: 18)
        let fields: [EntityKind: [String]] = [
            .contact: ["name", "phone", "wechat", "role"],
            .opportunity: ["title", "probability", "amount", "mainCompetitor"],
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

    @Test func aRenamedFieldHasItsOldNameInVersionOneAndAsAnAliasInTheNewest() throws {
        #expect(Self.v1[.opportunity]["competitor"] != nil && Self.v1[.opportunity]["mainCompetitor"] == nil)
        #expect(Schema.fieldSync[.opportunity]["mainCompetitor"] != nil)
        #expect(Schema.fieldSync[.opportunity]["competitor"] == nil)
        #expect(try Schema.fieldSync.field("competitor", of: .opportunity).name == "mainCompetitor")
        #expect(Schema.fieldSync.currentName("competitor", of: .opportunity) == "mainCompetitor")
        #expect(Schema.fieldSync.currentName("competitor", of: .customer) == "competitor")
        #expect(Schema.fieldSync.since(.opportunity, field: "mainCompetitor") == 1)
        #expect(Schema.fieldSync.name("mainCompetitor", of: .opportunity, inVersion: 1) == "competitor")
        #expect(Schema.fieldSync.name("probability", of: .opportunity, inVersion: 1) == nil)
        #expect(Schema.fieldSync.name("mainCompetitor", of: .opportunity, inVersion: 2) == "mainCompetitor")
        #expect(Schema.fieldSync.formerNames(of: "mainCompetitor", in: .opportunity) == ["competitor"])
    }

    /// A state written before the rename (as the first release stored it), a write under the old name, and a state
    /// holding both names all read as the one current field; a version-1 laptop is shown it under the old name.
    @Test func oldNamesReadAsTheCurrentFieldEverywhere() throws {
        let replica = ReplicaID(trusted: "lap-1")
        let id = RecordID(trusted: "opp-1")
        func at(_ ms: Int64, _ index: UInt32) -> (WriteID, HLCTimestamp) {
            (WriteID(replica: replica, seq: 1, index: index), HLCTimestamp(wallMs: ms, counter: 0, replica: replica))
        }
        var state = RecordState()
        let (createID, createHLC) = at(1_790_000_000_000, 0)
        state.apply(.create(record: id, entity: .opportunity), id: createID, hlc: createHLC, author: "ana")
        let (firstID, firstHLC) = at(1_790_000_000_001, 1)
        state.apply(
            .set(record: id, field: "competitor", value: .text("华东货架厂"), bases: []), id: firstID, hlc: firstHLC,
            author: "carl")
        #expect(state.fields.keys.sorted() == ["mainCompetitor"])
        #expect(state.value("competitor") == .text("华东货架厂") && state.value("mainCompetitor") == .text("华东货架厂"))

        // As the first release stored it: the old key. Decoding reads it under the new name.
        let current = String(decoding: state.compactJSON(), as: UTF8.self)
        let old = current.replacingOccurrences(of: #""mainCompetitor":"#, with: #""competitor":"#)
        #expect(old != current)
        let decoded = try JSONDecoder().decode(RecordState.self, from: Data(old.utf8))
        #expect(decoded == state)

        // A state holding both (never written by a server, but read right): one field, both writes' heads.
        let (secondID, secondHLC) = at(1_790_000_000_002, 2)
        var both = state
        both.apply(
            .set(record: id, field: "mainCompetitor", value: .text("金鹰"), bases: []), id: secondID, hlc: secondHLC,
            author: "ana")
        var split = try #require(try JSONSerialization.jsonObject(with: Data(both.compactJSON())) as? [String: Any])
        let heads = try #require((split["f"] as? [String: Any])?["mainCompetitor"] as? [Any])
        split["f"] = ["competitor": [heads[0]], "mainCompetitor": [heads[1]]]
        let joined = try JSONDecoder().decode(RecordState.self, from: JSONSerialization.data(withJSONObject: split))
        #expect(joined.fields["mainCompetitor"]?.heads.map(\.id) == [firstID, secondID])

        // A later write under either name supersedes what it saw under the other.
        let (thirdID, thirdHLC) = at(1_790_000_000_003, 3)
        both.apply(
            .set(record: id, field: "competitor", value: .text("金鹰"), bases: [firstID, secondID]), id: thirdID,
            hlc: thirdHLC, author: "carl")
        #expect(both.fields["mainCompetitor"]?.heads.map(\.id) == [thirdID] && both.conflicts(of: id).isEmpty)

        // A version-1 laptop is shown the field under its old name, and its conflicts and history too.
        let seen = try #require(state.seen(by: Self.v1))
        #expect(seen.fields.keys.sorted() == ["competitor"])
        let conflicted = try #require(
            joined.conflicts(of: id, schema: Self.v1).first { $0.kind == .value })
        #expect(conflicted.field == "competitor" && conflicted.id == "opp-1/competitor")
        #expect(joined.conflicts(of: id).first?.field == "mainCompetitor")
        let entries = [firstID, secondID].enumerated().map { index, write in
            HistoryEntry(
                seq: Int64(index), write: write, op: "set", field: index == 0 ? "competitor" : "mainCompetitor",
                oldValue: nil, newValue: .text("x"), author: "ana", replica: replica, hlc: firstHLC, acceptedAtMs: 0)
        }
        #expect(
            Schema.fieldSync.history(entries, of: .opportunity, inVersion: 1).map(\.field) == [
                "competitor", "competitor",
            ])
        #expect(
            Schema.fieldSync.history(entries, of: .opportunity, inVersion: 2).map(\.field)
                == ["mainCompetitor", "mainCompetitor"])

        // A version-1 mutation naming the old field is applied under the new one.
        let mutation = Mutation(
            replica: replica, seq: 2, hlc: thirdHLC,
            writes: [.set(record: id, field: "competitor", value: .text("x"), bases: [])])
        #expect(mutation.currentNames(in: .fieldSync) { _ in .opportunity }.writes.first?.field == "mainCompetitor")
        #expect(mutation.currentNames(in: .fieldSync) { _ in nil }.writes.first?.field == "competitor")
    }
}
