import FieldSyncModel
import Foundation
import Testing

@Suite struct ErrorCodeTests {
    /// protocol/PROTOCOL.md documents every wire code of the catalog, so a new code cannot ship undocumented.
    @Test func protocolDocumentsEveryWireCode() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/PROTOCOL.md")
        let text = try String(contentsOf: path, encoding: .utf8)
        let undocumented = ErrorCode.wire.filter { !text.contains("`\($0.rawValue)`") }
        #expect(undocumented.isEmpty, "codes missing from protocol/PROTOCOL.md: \(undocumented)")
    }

    @Test func codesAreDistinctAndTravelAsText() throws {
        #expect(Set(ErrorCode.wire).count == ErrorCode.wire.count)
        #expect(ErrorCode.validation.last == .recordTooLarge && ErrorCode.validation.first == .unknownEntity)
        let body = ErrorBody(code: .notFound, message: "gone")
        let json = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
        #expect(json.contains(#""code":"not_found""#))
        let unknown = try JSONDecoder().decode(
            ErrorBody.self, from: Data(#"{"error":{"code":"new_one","message":"m"}}"#.utf8))
        #expect(unknown.error.code == ErrorCode(rawValue: "new_one"))
    }
}
