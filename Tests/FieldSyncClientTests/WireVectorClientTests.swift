import FieldSyncClient
import FieldSyncModel
import Foundation
import Testing

/// The client's side of protocol/vectors/wire: every golden response decodes into the wire types the client uses,
/// and the golden pull page applies to a real local store.
@Suite struct WireVectorClientTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("protocol/vectors/wire")

    static let names: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }
            .sorted()
    }()

    /// Fills the vector's `$any` placeholders with values of the right shape, and leaves out the keys it says must
    /// be `$absent`.
    static func concrete(_ body: Any) throws -> Data {
        func present(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { ($0.value as? String) != "$absent" }.mapValues(present)
            }
            if let array = value as? [Any] { return array.map(present) }
            return value
        }
        var text = String(decoding: try JSONSerialization.data(withJSONObject: present(body)), as: UTF8.self)
        for (key, value) in [
            ("hlc", "\"1790000000000:0:server\""), ("token", "\"\(String(repeating: "ab", count: 32))\""),
            ("expiresAtMs", "0"), ("generation", "\"g1\""),
        ] {
            text = text.replacingOccurrences(of: "\"\(key)\":\"$any\"", with: "\"\(key)\":\(value)")
        }
        return Data(text.utf8)
    }

    @Test func vectorsArePresent() { #expect(Self.names.count >= 7) }

    @Test(arguments: names)
    func responsesDecodeIntoTheClientsTypes(_ name: String) throws {
        let vector = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.directory.appendingPathComponent(name)))
                as? [String: Any])
        let steps = try #require(vector["steps"] as? [[String: Any]])
        for (index, step) in steps.enumerated() {
            let response = try #require(step["response"] as? [String: Any])
            let schema = try #require(response["schema"] as? String)
            let body = try Self.concrete(try #require(response["body"]))
            let decoder = JSONDecoder()
            switch schema {
            case "login-response.json": _ = try decoder.decode(LoginResponse.self, from: body)
            case "push-response.json":
                let push = try decoder.decode(PushResponse.self, from: body)
                #expect(!push.results.isEmpty, "\(name) step \(index)")
            case "pull-response.json": try applies(try decoder.decode(PullResponse.self, from: body), raw: body)
            case "conflicts-response.json": _ = try decoder.decode(ConflictsResponse.self, from: body)
            case "replica-response.json": _ = try decoder.decode(ReplicaResponse.self, from: body)
            case "history-response.json", "health-response.json": break  // partial on purpose in the vectors
            case "error.json": #expect(!(try decoder.decode(ErrorBody.self, from: body)).error.message.isEmpty)
            default: Issue.record("\(name) step \(index): no client type for \(schema)")
            }
        }
    }

    /// A golden pull page lands in a fresh local store as the records it names.
    func applies(_ page: PullResponse, raw: Data) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fieldsync-vector-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try LocalStore(directory: directory)
        try store.applyPulled(page, raw: raw)
        for record in page.records {
            #expect(try store.record(record.id)?.state == record.state)
        }
        #expect(try store.cursor() == page.cursor)
    }
}
