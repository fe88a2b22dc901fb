import FieldSyncModel
import Foundation
import Hummingbird
import NIOCore

/// Reads request bodies as JSON for every handler: at most the context's `maxUploadSize` (else 413), and a 400
/// naming the path of the first problem for malformed input, wrong types, invalid UTF-8 or excessive nesting.
public struct JSONRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws
        -> T
    {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            let hint = request.uri.path.hasSuffix("/push") ? ": push fewer mutations at once" : ""
            throw ServerError(
                .contentTooLarge, .payloadTooLarge, "The request body is over \(context.maxUploadSize) bytes\(hint).")
        }
        // A plain push is read in one pass; anything else by `Codable`, which reads it alike or says what is wrong.
        if T.self == IncomingPush.self, let push = IncomingPush(plain: Array(buffer.readableBytesView)) {
            return push as! T
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

/// Writes every JSON response: sorted keys, so equal answers are equal bytes.
public struct JSONResponseEncoder: ResponseEncoder {
    /// The encoder behind every JSON body, error bodies included.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response
    {
        Self.response(try Self.encoder.encode(value))
    }

    /// JSON bytes written elsewhere (the pull page's own writer, a fixed body) as a response.
    static func response(_ data: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

// The wire messages handlers return as they are.
extension PushResponse: ResponseEncodable {}
extension LoginResponse: ResponseEncodable {}
extension ConflictsResponse: ResponseEncodable {}
extension HistoryResponse: ResponseEncodable {}
extension ReplicaResponse: ResponseEncodable {}
