import FieldSyncModel
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Reads the body (at most `maxBytes`, else 413) and decodes it as JSON, answering 400 with the path of the
    /// first problem for malformed input, wrong types, invalid UTF-8 or excessive nesting.
    func decodeJSON<T: Decodable>(_ type: T.Type, maxBytes: Int) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw ServerError(
                .contentTooLarge, "payload_too_large",
                "The request body is over \(maxBytes) bytes: send fewer mutations per push.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw ServerError.badRequest(Self.describe(error), cause: "\(error)")
        } catch {
            throw ServerError.badRequest("The body is not valid JSON.", cause: "\(error)")
        }
    }

    /// A one-line description of a decoding error: where, and what was expected.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the body" : String(text.drop { $0 == "." })
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "Wrong type at \(path(context.codingPath)): expected \(type)."
        case .valueNotFound(let type, let context):
            return "Missing value at \(path(context.codingPath)): expected \(type)."
        case .keyNotFound(let key, let context):
            return "Missing field '\(key.stringValue)' in \(path(context.codingPath))."
        case .dataCorrupted(let context):
            let detail = context.debugDescription.prefix(200)
            return context.codingPath.isEmpty
                ? "The body is not valid JSON (\(detail))." : "Invalid value at \(path(context.codingPath)): \(detail)"
        @unknown default:
            return "The body could not be read as JSON."
        }
    }
}

/// Builds JSON responses.
enum JSONResponse {
    /// The encoder for every response: sorted keys, so equal answers are equal bytes.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` as a JSON response.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        bytes(try encoder.encode(value), status: status)
    }

    /// Raw JSON bytes as a response.
    static func bytes(_ data: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
