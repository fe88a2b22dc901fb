import FieldSyncModel
import Foundation
import Hummingbird
import Testing

@testable import FieldSyncServer

/// The golden exchanges in protocol/vectors/wire, replayed against a fresh in-process server: each request's answer
/// must match the vector (`"$any"` matches anything, `"$absent"` a key that must not be there) and every body must
/// satisfy its schema in protocol/schemas.
@Suite struct WireVectorTests {
    struct Vector: Decodable {
        struct Step: Decodable {
            struct Request: Decodable {
                let method: String
                let path: String
                /// Headers besides authorization, content type and clock (`FieldSync-Schema`).
                let headers: [String: String]?
                let body: JSONValue?
                let schema: String?
            }
            struct Response: Decodable {
                let status: Int
                let schema: String
                let body: JSONValue
            }
            let `as`: String?
            let request: Request
            let response: Response
        }
        let description: String
        let steps: [Step]
    }

    static let names: [String] = {
        let directory = protocolDirectory.appendingPathComponent("vectors/wire").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasSuffix(".json")
        }.sorted()
    }()

    @Test func vectorsArePresent() { #expect(Self.names.count >= 7) }

    @Test(arguments: names, Backend.allCases)
    func vector(_ name: String, _ backend: Backend) async throws {
        let data = try Data(contentsOf: protocolDirectory.appendingPathComponent("vectors/wire/\(name)"))
        let vector = try JSONDecoder().decode(Vector.self, from: data)
        let bodies = try JSONDecoder().decode(RawBodies.self, from: data)
        let schemas = try SchemaChecker(directory: protocolDirectory.appendingPathComponent("schemas"))
        let server = try await TestServer.make(backend)
        try await server.run { client in
            var tokens: [String: String] = [:]
            for (index, step) in vector.steps.enumerated() {
                var token: String?
                if let user = step.as {
                    if tokens[user] == nil { tokens[user] = try await client.login(user) }
                    token = tokens[user]
                }
                if let schema = step.request.schema, let body = step.request.body {
                    let problems = schemas.check(body, against: schema)
                    #expect(problems.isEmpty, "\(name) step \(index) request vs \(schema): \(problems)")
                }
                let method = HTTPRequest.Method(rawValue: step.request.method)!
                let reply = try await client.send(
                    method, step.request.path, token: token, body: bodies.steps[index].request.body,
                    headers: step.request.headers ?? [:])
                #expect(Int(reply.status.code) == step.response.status, "\(name) step \(index): \(reply.text)")
                let actual = try JSONValue.parse(reply.body)
                let mismatches = step.response.body.mismatches(actual)
                #expect(mismatches.isEmpty, "\(name) step \(index): \(mismatches)")
                let problems = schemas.check(actual, against: step.response.schema)
                #expect(problems.isEmpty, "\(name) step \(index) response vs \(step.response.schema): \(problems)")
            }
        }
    }

    @Test func everyMergeVectorMutationSatisfiesTheMutationSchema() throws {
        let schemas = try SchemaChecker(directory: protocolDirectory.appendingPathComponent("schemas"))
        let directory = protocolDirectory.appendingPathComponent("vectors/merge")
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".json") {
            guard
                case .object(let vector) = try JSONValue.parse(Data(contentsOf: directory.appendingPathComponent(file))),
                case .array(let deliveries) = vector["mutations"]
            else { Issue.record("\(file) is not a merge vector"); continue }
            for case .object(let delivery) in deliveries {
                let problems = schemas.check(
                    .object(["mutations": .array([delivery["mutation"]!])]), against: "push-request.json")
                #expect(problems.isEmpty, "\(file): \(problems)")
            }
        }
    }

    /// The request bodies as raw bytes, sent exactly as the vector spells them.
    struct RawBodies: Decodable {
        struct Step: Decodable {
            struct Request: Decodable {
                let body: Data?
                enum CodingKeys: CodingKey { case body }
                init(from decoder: any Decoder) throws {
                    let container = try decoder.container(keyedBy: CodingKeys.self)
                    body = try container.decodeIfPresent(JSONValue.self, forKey: .body).map {
                        Data($0.description.utf8)
                    }
                }
            }
            let request: Request
        }
        let steps: [Step]
    }
}
