import FieldSyncModel

/// An independent, brute-force statement of the merge semantics, computed from the whole log of writes at once.
///
/// It shares no code with the merge engine: heads are "every write of the field not named as a base by any write";
/// the winner is found by sorting on (rank, wall, counter, replica, write id) with ranks written out here.
struct ReferenceModel {
    struct LoggedWrite {
        let id: WriteID
        let hlc: HLCTimestamp
        let write: Write
    }

    let writes: [LoggedWrite]
    /// Ids named as bases by `set` writes: the field writes a later field write had seen.
    let setBases: Set<WriteID>

    init(log: [Mutation]) {
        var unique: [MutationKey: Mutation] = [:]
        for mutation in log { unique[mutation.key] = mutation }
        writes = unique.values.flatMap { mutation in
            mutation.writes.enumerated().map {
                LoggedWrite(id: mutation.writeID($0.offset), hlc: mutation.hlc, write: $0.element)
            }
        }
        setBases = Set(
            writes.flatMap { entry -> [WriteID] in
                if case .set(_, _, _, let bases) = entry.write { return bases }
                return []
            })
    }

    /// Head ids of scalar field `field` of `record`, sorted.
    func heads(_ record: RecordID, _ field: String) -> [WriteID] {
        writes.filter { entry in
            if case .set(let r, let f, _, _) = entry.write {
                return r == record && f == field && !setBases.contains(entry.id)
            }
            return false
        }.map(\.id).sorted()
    }

    static let stageRank: [String: Int] = [
        "prospecting": 0, "qualifying": 1, "approaching": 2, "presenting": 3, "objections": 4, "closing": 5, "won": 9,
        "lost": 9,
    ]
    static let visitRank: [String: Int] = ["planned": 0, "cancelled": 1, "missed": 1, "completed": 2]

    /// The value shown for a field with the given heads.
    func winner(_ entity: EntityKind, _ field: String, heads: [WriteID]) -> Value {
        let candidates: [(Int, HLCTimestamp, WriteID, Value)] = writes.compactMap { entry in
            guard heads.contains(entry.id), case .set(_, _, let value, _) = entry.write else { return nil }
            var rank = 0
            if entity == .opportunity && field == "stage" { rank = Self.stageRank[value.text ?? ""] ?? -1 }
            if entity == .visit && field == "status" { rank = Self.visitRank[value.text ?? ""] ?? -1 }
            return (rank, entry.hlc, entry.id, value)
        }
        let best = candidates.sorted { a, b in
            if a.0 != b.0 { return a.0 > b.0 }
            if a.1.wallMs != b.1.wallMs { return a.1.wallMs > b.1.wallMs }
            if a.1.counter != b.1.counter { return a.1.counter > b.1.counter }
            if a.1.replica != b.1.replica { return a.1.replica.rawValue > b.1.replica.rawValue }
            return a.2.description > b.2.description
        }.first
        return best?.3 ?? .null
    }

    /// Tags of `record` present: elements with an add not named by any remove.
    func tags(_ record: RecordID) -> [String] {
        let removedAdds = Set(
            writes.flatMap { entry -> [WriteID] in
                if case .remove(let r, _, _, let bases) = entry.write, r == record { return bases }
                return []
            })
        return Set(
            writes.compactMap { entry -> String? in
                if case .add(let r, _, let element) = entry.write, r == record, !removedAdds.contains(entry.id) {
                    return element
                }
                return nil
            }
        ).sorted()
    }

    /// Note texts of `record` in (HLC, id) order.
    func notes(_ record: RecordID) -> [String] {
        writes.filter { entry in
            if case .note(let r, _) = entry.write { return r == record }
            return false
        }.sorted { ($0.hlc, $0.id) < ($1.hlc, $1.id) }.compactMap { entry in
            if case .note(_, let text) = entry.write { return text }
            return nil
        }
    }
}
