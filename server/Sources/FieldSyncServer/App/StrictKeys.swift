import FieldSyncModel

/// Refuses keys a schema does not list (`additionalProperties: false`), naming the first.
enum StrictKeys {
    /// A request body read strictly: a key its schema does not list is refused before the body is read.
    struct Body<Value: Decodable & StrictlyRead>: Decodable {
        let value: Value

        init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: Value.keys)
            value = try Value(from: decoder)
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws when the object `decoder` reads has a key outside `allowed`.
    static func check(_ decoder: any Decoder, allowed: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try check(container, allowed: allowed)
    }

    static func check(_ container: KeyedDecodingContainer<AnyKey>, allowed: Set<String>) throws {
        if let extra = container.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: extra, in: container,
                debugDescription:
                    "unknown key '\(extra.stringValue.prefix(40))': allowed are \(allowed.sorted().joined(separator: ", "))."
            )
        }
    }

    /// Checks each write's keys for its op, and a money value's keys.
    static func checkWrites(_ decoder: any Decoder) throws {
        let mutation = try decoder.container(keyedBy: AnyKey.self)
        guard mutation.contains(AnyKey(stringValue: "writes")) else { return }
        var writes = try mutation.nestedUnkeyedContainer(forKey: AnyKey(stringValue: "writes"))
        while !writes.isAtEnd {
            let write = try writes.nestedContainer(keyedBy: AnyKey.self)
            let op = (try? write.decode(String.self, forKey: AnyKey(stringValue: "op"))) ?? ""
            try check(write, allowed: Set(["op", "record"]).union(Write.operandKeys[op] ?? []))
            let value = AnyKey(stringValue: "value")
            if write.contains(value), let money = try? write.nestedContainer(keyedBy: AnyKey.self, forKey: value) {
                try check(money, allowed: ["minor", "currency"])
            }
        }
    }
}

/// A request body whose keys are listed here, as in its schema.
protocol StrictlyRead {
    /// Every key the body's schema lists.
    static var keys: Set<String> { get }
}

extension LoginRequest: StrictlyRead {
    static var keys: Set<String> { ["user", "password", "replica", "firstSeq"] }
}

extension ReplicaRequest: StrictlyRead {
    static var keys: Set<String> { ["replica", "firstSeq"] }
}
