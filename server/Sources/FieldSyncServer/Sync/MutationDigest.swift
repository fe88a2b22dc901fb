import FieldSyncModel

/// The digest stored with each processed (replica, seq): a resend of the same mutation has the same one, a different
/// mutation under a used seq (a copied or restored laptop) does not.
///
/// SHA-256 over a canonical byte form of the decoded mutation (every field length-prefixed, in a fixed order), so two
/// clients encoding the same mutation differently agree, and no JSON encoder runs inside a push. The form is versioned
/// by its first bytes: changing it would make every stored digest differ, so a new form needs a new tag and the old
/// one kept for seqs processed under it.
enum MutationDigest {
    /// The first 128 bits of the digest, as 32 hex digits.
    static func of(_ mutation: Mutation) -> String {
        var form = Form()
        form.text("fieldsync-mutation-1")
        form.text(mutation.replica.rawValue)
        form.number(mutation.seq)
        form.text(mutation.hlc.description)
        form.number(UInt64(mutation.writes.count))
        for write in mutation.writes {
            form.text(write.op)
            form.text(write.record.rawValue)
            switch write {
            case .create(_, let entity): form.text(entity.rawValue)
            case .set(_, let field, let value, _):
                form.text(field)
                form.value(value)
            case .add(_, let field, let element), .remove(_, let field, let element, _):
                form.text(field)
                form.text(element)
            case .note(_, let text): form.text(text)
            case .merge(_, let into): form.text(into.rawValue)
            case .delete, .restore: break
            }
            form.number(UInt64(write.bases.count))
            for base in write.bases { form.text(base.description) }
        }
        return String(Crypto.hex(Crypto.sha256(form.bytes)).prefix(32))
    }

    /// Length-prefixed fields, so no two mutations share a form.
    private struct Form {
        var bytes: [UInt8] = []

        mutating func number(_ value: UInt64) {
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: value >> shift))
            }
        }

        mutating func text(_ value: String) {
            number(UInt64(value.utf8.count))
            bytes += value.utf8
        }

        mutating func value(_ value: Value) {
            switch value {
            case .null: bytes.append(0)
            case .text(let text):
                bytes.append(1)
                self.text(text)
            case .integer(let number):
                bytes.append(2)
                self.number(UInt64(bitPattern: number))
            case .money(let money):
                bytes.append(3)
                self.number(UInt64(bitPattern: money.minor))
                text(money.currency)
            }
        }
    }
}
