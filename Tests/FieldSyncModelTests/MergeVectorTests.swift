import FieldSyncModel
import Foundation
import TestSupport
import Testing

/// The golden merge cases in protocol/vectors/merge, read in place: writes in → heads, winner and conflicts out,
/// in every order of arrival.
@Suite struct MergeVectorTests {
    struct Vector: Decodable {
        struct Delivery: Decodable {
            let author: String
            let mutation: Mutation
        }
        struct ExpectedField: Decodable {
            let value: Value
            let heads: [String]
        }
        struct ExpectedRecord: Decodable {
            let exists: Bool
            let entity: EntityKind?
            let fields: [String: ExpectedField]?
            let tags: [String: [String]]?
            let notes: [String]?
            /// For a merged customer, the record it redirects to.
            let redirect: String?
        }
        struct Expectation: Decodable {
            let records: [String: ExpectedRecord]
            let conflicts: [String]
            /// Per conflict id, the ids of the heads it lists (the unseen edits, for a delete conflict).
            let conflictHeads: [String: [String]]?
        }
        let description: String
        /// Whether the mutations apply in the order given only (record merge follows the server's order); every
        /// other vector gives the same state in every order of arrival.
        let ordered: Bool?
        let mutations: [Delivery]
        let expect: Expectation
    }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/vectors/merge")

    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test func vectorsArePresent() {
        #expect(Self.names.count >= 24, "expected the merge vectors in \(Self.directory.path)")
    }

    @Test(arguments: names)
    func vector(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        let vector = try JSONDecoder().decode(Vector.self, from: data)
        var generator = SeededGenerator(seed: 7)
        var orders = [Array(vector.mutations.indices)]
        if vector.ordered != true {
            for _ in 0..<40 { orders.append(vector.mutations.indices.shuffled(using: &generator)) }
        }
        var first: Dataset?
        for order in orders {
            var dataset = Dataset()
            for index in order {
                dataset.apply(vector.mutations[index].mutation, author: vector.mutations[index].author)
            }
            try check(dataset, against: vector.expect, name: name, order: order)
            if let first { #expect(dataset == first, "\(name): order \(order) gave a different state") }
            first = dataset
        }
    }

    private func check(_ dataset: Dataset, against expect: Vector.Expectation, name: String, order: [Int]) throws {
        for (rawID, expected) in expect.records {
            let id = try RecordID(rawID)
            let state = try #require(dataset.records[id], "\(name): record \(rawID) missing")
            #expect(state.exists == expected.exists, "\(name) \(order): \(rawID).exists")
            if let entity = expected.entity { #expect(state.entity == entity, "\(name) \(order): \(rawID).entity") }
            for (field, expectedField) in expected.fields ?? [:] {
                #expect(state.value(field) == expectedField.value, "\(name) \(order): \(rawID).\(field) value")
                let heads = state.fields[field]?.heads.map(\.id.description) ?? []
                #expect(heads == expectedField.heads, "\(name) \(order): \(rawID).\(field) heads")
            }
            for (field, elements) in expected.tags ?? [:] {
                #expect(state.elements(field) == elements.sorted(), "\(name) \(order): \(rawID).\(field) tags")
            }
            #expect(state.redirect?.rawValue == expected.redirect, "\(name) \(order): \(rawID) redirect")
            if let notes = expected.notes {
                #expect(state.notes.map(\.text) == notes, "\(name) \(order): \(rawID) notes")
            }
        }
        #expect(dataset.conflicts().map(\.id) == expect.conflicts, "\(name) \(order): conflicts")
        for (id, heads) in expect.conflictHeads ?? [:] {
            let listed = dataset.conflicts().first { $0.id == id }?.heads.map(\.id.description)
            #expect(listed == heads, "\(name) \(order): heads of conflict \(id)")
        }
    }
}
