import FieldSyncModel

/// An independent, brute-force statement of the merge semantics, computed from the whole log of writes at once.
///
/// It shares no code with the merge engine. Per record: the entity is the earliest create's; a field's heads are its
/// `set` writes not named as a base by a `set` of that field; a tag's live adds are its adds not named by a remove of
/// that tag; the live deletes are the deletes no restore named; the record is deleted when live deletes exist and
/// together have seen every live write (field heads, live tag adds, notes, restores). Winners sort on (rank, wall,
/// counter, replica, write id) with the ranks written out here.
struct ReferenceModel {
    struct LoggedWrite {
        let id: WriteID
        let hlc: HLCTimestamp
        let author: String
        let write: Write
    }

    let writes: [LoggedWrite]
    private let byRecord: [RecordID: [LoggedWrite]]

    init(log: [Mutation]) {
        var unique: [MutationKey: Mutation] = [:]
        for mutation in log { unique[mutation.key] = mutation }
        writes = unique.values.flatMap { mutation in
            mutation.writes.enumerated().map {
                LoggedWrite(
                    id: mutation.writeID($0.offset), hlc: mutation.hlc, author: mutation.replica.rawValue,
                    write: $0.element)
            }
        }
        byRecord = Dictionary(grouping: writes, by: \.write.record)
    }

    /// Every record any write touched.
    var records: [RecordID] { byRecord.keys.sorted() }

    func writes(of record: RecordID) -> [LoggedWrite] { byRecord[record] ?? [] }

    /// The entity of the earliest create, by (timestamp, write id).
    func entity(_ record: RecordID) -> EntityKind? {
        writes(of: record).compactMap { entry -> (HLCTimestamp, WriteID, EntityKind)? in
            if case .create(_, let entity) = entry.write { return (entry.hlc, entry.id, entity) }
            return nil
        }.min { ($0.0, $0.1) < ($1.0, $1.1) }?.2
    }

    /// Fields of `record` written by `set`.
    func fields(_ record: RecordID) -> Set<String> {
        Set(
            writes(of: record).compactMap { entry in
                if case .set(_, let field, _, _) = entry.write { return field }
                return nil
            })
    }

    /// Head ids of scalar field `field` of `record`.
    func heads(_ record: RecordID, _ field: String) -> Set<WriteID> {
        let sets = writes(of: record).filter { entry in
            if case .set(_, let f, _, _) = entry.write { return f == field }
            return false
        }
        let named = Set(sets.flatMap(\.write.bases))
        return Set(sets.map(\.id).filter { !named.contains($0) })
    }

    /// The write logged under `id`.
    func entry(_ id: WriteID) -> LoggedWrite? { writes.first { $0.id == id } }

    static let stageRank: [String: Int] = [
        "prospecting": 0, "qualifying": 1, "approaching": 2, "presenting": 3, "objections": 4, "closing": 5, "won": 9,
        "lost": 9,
    ]
    static let visitRank: [String: Int] = ["planned": 0, "cancelled": 1, "missed": 1, "completed": 2]
    static let stepRank: [String: Int] = [
        "recorded": 0, "accepted": 1, "rejected": 1, "assigned": 2, "analysed": 3, "proposed": 4, "approved": 5,
        "implemented": 6, "evaluated": 7,
    ]

    /// The value shown for a field with the given heads.
    func winner(_ entity: EntityKind?, _ field: String, heads: Set<WriteID>) -> Value {
        let candidates: [(Int, HLCTimestamp, WriteID, Value)] = heads.compactMap { id in
            guard let entry = entry(id), case .set(_, _, let value, _) = entry.write else { return nil }
            var rank = 0
            let text = value.text ?? ""
            if entity == .opportunity && field == "stage" { rank = Self.stageRank[text] ?? -1 }
            if entity == .visit && field == "status" { rank = Self.visitRank[text] ?? -1 }
            if entity == .complaint && field == "step" { rank = Self.stepRank[text] ?? -1 }
            return (rank, entry.hlc, entry.id, value)
        }
        let best = candidates.sorted { a, b in
            if a.0 != b.0 { return a.0 > b.0 }
            if a.1.wallMs != b.1.wallMs { return a.1.wallMs > b.1.wallMs }
            if a.1.counter != b.1.counter { return a.1.counter > b.1.counter }
            if a.1.replica != b.1.replica { return a.1.replica.rawValue > b.1.replica.rawValue }
            return (a.2.seq, a.2.index) > (b.2.seq, b.2.index)
        }.first
        return best?.3 ?? .null
    }

    /// Live tag adds of `record`'s `tags`: add id → tag.
    func liveAdds(_ record: RecordID) -> [WriteID: String] {
        var removed: [String: Set<WriteID>] = [:]
        for entry in writes(of: record) {
            if case .remove(_, _, let element, let bases) = entry.write {
                removed[element, default: []].formUnion(bases)
            }
        }
        var result: [WriteID: String] = [:]
        for entry in writes(of: record) {
            if case .add(_, _, let element) = entry.write, removed[element]?.contains(entry.id) != true {
                result[entry.id] = element
            }
        }
        return result
    }

    /// Tags of `record` present, sorted.
    func tags(_ record: RecordID) -> [String] { Set(liveAdds(record).values).sorted() }

    /// Note (id, text) of `record` in (timestamp, id) order.
    func notes(_ record: RecordID) -> [(WriteID, String)] {
        writes(of: record).compactMap { entry -> (HLCTimestamp, WriteID, String)? in
            if case .note(_, let text) = entry.write { return (entry.hlc, entry.id, text) }
            return nil
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { ($0.1, $0.2) }
    }

    /// Restores of `record` (live writes a delete must have seen).
    func keeps(_ record: RecordID) -> Set<WriteID> {
        Set(
            writes(of: record).filter { entry in
                if case .restore = entry.write { return true }
                return false
            }.map(\.id))
    }

    /// Deletes of `record` no restore named.
    func liveDeletes(_ record: RecordID) -> [LoggedWrite] {
        let restored = Set(
            writes(of: record).flatMap { entry -> [WriteID] in
                if case .restore(_, let bases) = entry.write { return bases }
                return []
            })
        return writes(of: record).filter { entry in
            if case .delete = entry.write { return !restored.contains(entry.id) }
            return false
        }
    }

    /// Every live write of `record`.
    func liveWrites(_ record: RecordID) -> Set<WriteID> {
        var live = Set(fields(record).flatMap { heads(record, $0) })
        live.formUnion(liveAdds(record).keys)
        live.formUnion(notes(record).map(\.0))
        live.formUnion(keeps(record))
        return live
    }

    /// Live writes no live delete had seen.
    func unseen(_ record: RecordID) -> Set<WriteID> {
        let seen = Set(liveDeletes(record).flatMap(\.write.bases))
        return liveWrites(record).subtracting(seen)
    }

    /// Whether `record` is deleted: live deletes that together saw every live write.
    func isDeleted(_ record: RecordID) -> Bool { !liveDeletes(record).isEmpty && unseen(record).isEmpty }

    /// Whether `record` exists: created and not deleted.
    func exists(_ record: RecordID) -> Bool { entity(record) != nil && !isDeleted(record) }
}
