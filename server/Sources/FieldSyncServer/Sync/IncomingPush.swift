import FieldSyncModel

/// A push body as the server reads it: strictly (no key the schema does not list), and mutation by mutation, so a
/// mutation that cannot be read is refused on its own (`MalformedMutation`) while the rest of the push goes on.
///
/// Only what cannot be tied to a seq (the body's shape, a mutation's `replica` or `seq`) refuses the whole push.
struct IncomingPush: Decodable {
    /// The mutations in body order; a malformed one is a placeholder with no writes.
    let mutations: [Mutation]
    /// Why each malformed mutation, by seq, could not be read.
    let malformed: [UInt64: MalformedMutation]
    /// The receipts of re-offered mutations, by seq.
    let receipts: [UInt64: String]

    private enum Keys: String, CodingKey { case mutations, receipts }

    /// A push whose body is plain (`MutationReader.push`): every mutation read, no receipts.
    init?(plain bytes: [UInt8]) {
        guard let mutations = MutationReader.push(bytes) else { return nil }
        (self.mutations, malformed, receipts) = (mutations, [:], [:])
    }

    init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: ["mutations", "receipts"])
        let keys = try decoder.container(keyedBy: Keys.self)
        var receipts: [UInt64: String] = [:]
        for (seq, receipt) in try keys.decodeIfPresent([String: String].self, forKey: .receipts) ?? [:] {
            guard let number = UInt64(seq), String(number) == seq else {
                throw DecodingError.dataCorruptedError(
                    forKey: .receipts, in: keys,
                    debugDescription:
                        "receipts are keyed by a mutation's seq as decimal text; '\(seq.prefix(32))' is not one.")
            }
            receipts[number] = receipt
        }
        self.receipts = receipts
        var list = try keys.nestedUnkeyedContainer(forKey: .mutations)
        var mutations: [Mutation] = []
        var malformed: [UInt64: MalformedMutation] = [:]
        while !list.isAtEnd {
            let entry = try list.decode(IncomingMutation.self)
            mutations.append(entry.mutation)
            if let problem = entry.problem { malformed[entry.mutation.seq] = problem }
        }
        self.mutations = mutations
        self.malformed = malformed
    }
}

/// Why a pushed mutation could not be read: a per-mutation refusal with a documented code.
struct MalformedMutation: Sendable {
    let code: ErrorCode
    let reason: String
}

/// One pushed mutation: its `replica` and `seq` must be readable (else the push is malformed); anything wrong past
/// them makes a placeholder and a `MalformedMutation`.
private struct IncomingMutation: Decodable {
    let mutation: Mutation
    let problem: MalformedMutation?

    private enum Keys: String, CodingKey { case replica, seq }

    init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: Keys.self)
        let replica = try keys.decode(ReplicaID.self, forKey: .replica)
        guard let seq = try? keys.decode(UInt64.self, forKey: .seq) else {
            _ = try keys.decode(Double.self, forKey: .seq)  // not a number: that error says so
            throw DecodingError.dataCorruptedError(
                forKey: .seq, in: keys, debugDescription: "seq must be a whole number from 1 to 18446744073709551615.")
        }
        do {
            try StrictKeys.check(decoder, allowed: ["replica", "seq", "hlc", "writes"])
            try StrictKeys.checkWrites(decoder)
            mutation = try Mutation(from: decoder)
            problem = nil
        } catch {
            mutation = Mutation(
                replica: replica, seq: seq, hlc: HLCTimestamp(wallMs: 0, counter: 0, replica: replica), writes: [])
            problem = Self.describe(error, seq: seq)
        }
    }

    /// The refusal for a decoding error: the code follows the key that failed.
    static func describe(_ error: any Error, seq: UInt64) -> MalformedMutation {
        guard let error = error as? DecodingError else {
            return MalformedMutation(code: .invalidMutation, reason: "Mutation \(seq) could not be read: \(error).")
        }
        let text = JSONRequestDecoder.describe(error)
        let path: [any CodingKey]
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            path = context.codingPath
        case .keyNotFound(_, let context):
            path = context.codingPath
        @unknown default:
            path = []
        }
        let last = path.last { $0.intValue == nil }?.stringValue ?? ""
        let code: ErrorCode =
            switch last {
            case "record", "bases", "replica", "hlc": .invalidIdentifier
            case "entity": .unknownEntity
            case "value", "minor", "currency": .wrongType
            default: .invalidMutation
            }
        if case .dataCorrupted(let context) = error, last == "entity" {
            return MalformedMutation(code: code, reason: "Mutation \(seq): \(context.debugDescription)")
        }
        return MalformedMutation(code: code, reason: "Mutation \(seq) could not be read: \(text)")
    }
}
