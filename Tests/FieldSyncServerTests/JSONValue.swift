import Foundation

/// Any JSON value, decoded strictly (a number is never a boolean), for comparing bodies and checking schemas.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object(
        [String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
        case .array(let values): "[\(values.map(\.description).joined(separator: ","))]"
        case .object(let members):
            "{\(members.sorted { $0.key < $1.key }.map { "\(JSONValue.string($0.key)):\($0.value)" }.joined(separator: ","))}"
        }
    }

    /// Where `actual` differs from this expected value: objects compare only the expected keys, arrays element by
    /// element, and the string `$any` matches anything.
    func mismatches(_ actual: JSONValue, at path: String = "$") -> [String] {
        switch (self, actual) {
        case (.string("$any"), _): return []
        case (.object(let expected), .object(let members)):
            return expected.keys.sorted().flatMap { key in
                if expected[key] == .string("$absent") {
                    return members[key] == nil ? [] : ["\(path).\(key) is present, expected absent"]
                }
                guard let value = members[key] else { return ["\(path).\(key) missing"] }
                return expected[key]!.mismatches(value, at: "\(path).\(key)")
            }
        case (.array(let expected), .array(let values)):
            guard expected.count == values.count else {
                return ["\(path) has \(values.count) items, expected \(expected.count)"]
            }
            return zip(expected, values).enumerated().flatMap {
                $0.element.0.mismatches($0.element.1, at: "\(path)[\($0.offset)]")
            }
        default:
            return self == actual ? [] : ["\(path) is \(actual), expected \(self)"]
        }
    }
}

/// A small JSON Schema (2020-12 subset) checker for protocol/schemas: type, enum, const, properties, required,
/// additionalProperties, items, min/max items and length, minimum, pattern, oneOf and `$ref` into common.json.
struct SchemaChecker {
    private var cache: [String: JSONValue] = [:]

    /// The schemas of `directory`, plus those of `more` (file names are one namespace: a `$ref` names a file).
    init(directory: URL, _ more: URL...) throws {
        for folder in [directory] + more {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
                cache[file] = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent(file)))
            }
        }
    }

    var files: [String] { cache.keys.sorted() }

    /// Violations of schema file `name` by `value`.
    func check(_ value: JSONValue, against name: String) -> [String] {
        guard let schema = cache[name] else { return ["no schema \(name)"] }
        return check(value, schema, file: name, path: "$")
    }

    private func resolve(_ reference: String, from file: String) -> (JSONValue, String)? {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let target = parts[0].isEmpty ? file : String(parts[0])
        guard var node = cache[target] else { return nil }
        for key in (parts.count > 1 ? parts[1] : "").split(separator: "/") {
            guard case .object(let members) = node, let next = members[String(key)] else { return nil }
            node = next
        }
        return (node, target)
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, file: String, path: String) -> [String] {
        guard case .object(let rules) = schema else { return [] }
        if case .string(let reference) = rules["$ref"] {
            guard let (target, targetFile) = resolve(reference, from: file) else {
                return ["\(path): unresolvable \(reference)"]
            }
            return check(value, target, file: targetFile, path: path)
        }
        var errors: [String] = []
        if case .array(let options) = rules["oneOf"] {
            let passing = options.filter { check(value, $0, file: file, path: path).isEmpty }.count
            if passing != 1 { errors.append("\(path): matches \(passing) of oneOf") }
        }
        if case .array(let allowed) = rules["enum"], !allowed.contains(value) {
            errors.append("\(path): \(value) not in enum")
        }
        if let constant = rules["const"], constant != value { errors.append("\(path): \(value) is not \(constant)") }
        if case .string(let type) = rules["type"], !Self.matches(value, type: type) {
            return errors + ["\(path): \(value) is not of type \(type)"]
        }
        switch value {
        case .object(let members):
            let properties: [String: JSONValue]
            if case .object(let declared) = rules["properties"] { properties = declared } else { properties = [:] }
            if case .array(let required) = rules["required"] {
                for case .string(let key) in required where members[key] == nil {
                    errors.append("\(path): missing \(key)")
                }
            }
            for (key, member) in members {
                if let rule = properties[key] {
                    errors += check(member, rule, file: file, path: "\(path).\(key)")
                } else if rules["additionalProperties"] == .bool(false) {
                    errors.append("\(path): unexpected property \(key)")
                } else if let rule = rules["additionalProperties"], case .object = rule {
                    errors += check(member, rule, file: file, path: "\(path).\(key)")
                }
            }
        case .array(let items):
            if case .integer(let minimum) = rules["minItems"], items.count < minimum {
                errors.append("\(path): too few items")
            }
            if case .integer(let maximum) = rules["maxItems"], items.count > maximum {
                errors.append("\(path): too many items")
            }
            if let rule = rules["items"] {
                for (index, item) in items.enumerated() {
                    errors += check(item, rule, file: file, path: "\(path)[\(index)]")
                }
            }
        case .string(let text):
            if case .integer(let minimum) = rules["minLength"], text.count < minimum {
                errors.append("\(path): too short")
            }
            if case .integer(let maximum) = rules["maxLength"], text.count > maximum {
                errors.append("\(path): too long")
            }
            if case .string(let pattern) = rules["pattern"], text.range(of: pattern, options: .regularExpression) == nil
            {
                errors.append("\(path): '\(text)' does not match \(pattern)")
            }
        case .integer(let number):
            if case .integer(let minimum) = rules["minimum"], number < minimum {
                errors.append("\(path): below \(minimum)")
            }
        default:
            break
        }
        return errors
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
            ("string", .string), ("array", .array), ("object", .object):
            true
        default: false
        }
    }
}

/// The repository's protocol/ folder, read in place.
let protocolDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("protocol")
