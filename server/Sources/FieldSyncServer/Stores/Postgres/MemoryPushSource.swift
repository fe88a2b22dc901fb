import FieldSyncModel

/// A `PushSource` over rows loaded beforehand, for stores whose queries are asynchronous (PostgreSQL): the store
/// prefetches everything `PushProcessor` can ask for, then runs it synchronously.
struct MemoryPushSource: PushSource {
    var records: [RecordID: StoredRecord] = [:]
    var childrenByCustomer: [RecordID: [StoredRecord]] = [:]
    var acceptedWrites: [WriteID: WriteTarget] = [:]
    var lastSeq: UInt64 = 0
    var rejections: [UInt64: (code: ErrorCode, reason: String)] = [:]
    var digests: [UInt64: String] = [:]
    /// Per record, its moves newest first: (from, to).
    var moves: [RecordID: [(from: String, to: String)]] = [:]
    /// The users the push names as owners or reps (`assigneeNames`).
    var users: [String: NamedUser] = [:]
    /// The receipt key's rows (`AcknowledgementReceipt.keyCounters`).
    var keyRows: [String: Int64] = [:]

    func record(_ id: RecordID) throws -> StoredRecord? { records[id] }
    func children(of customer: RecordID) throws -> [StoredRecord] { childrenByCustomer[customer] ?? [] }
    func acceptedWrite(_ id: WriteID) throws -> WriteTarget? { acceptedWrites[id] }
    func lastSeq(of replica: ReplicaID) throws -> UInt64 { lastSeq }
    func digest(replica: ReplicaID, seq: UInt64) throws -> String? { digests[seq] }
    func rejection(replica: ReplicaID, seq: UInt64) throws -> (code: ErrorCode, reason: String)? { rejections[seq] }
    func namedUser(_ name: String) throws -> NamedUser? { users[name] }
    func receiptKey() throws -> [UInt8]? { AcknowledgementReceipt.key(keyRows) }
    func movedTo(_ record: RecordID, from territories: Set<String>) throws -> String? {
        moves[record]?.first { territories.contains($0.from) }?.to
    }

    /// Every user name the push assigns (`PushProcessor.assignedFields`).
    static func assigneeNames(in mutations: [Mutation]) -> Set<String> {
        var names = Set<String>()
        for case .set(_, let field, .text(let name), _) in mutations.flatMap(\.writes)
        where PushProcessor.assignedFields.contains(field) {
            names.insert(name)
        }
        return names
    }

    /// Every record id a push may read: written records, the records their reference fields name and merges keep.
    static func recordIDs(in mutations: [Mutation], schema: Schema = .fieldSync) -> Set<RecordID> {
        var ids = Set<RecordID>()
        let references = schema.referenceFields
        for mutation in mutations {
            for write in mutation.writes {
                ids.insert(write.record)
                if case .merge(_, let into) = write { ids.insert(into) }
                if case .set(_, let field, .text(let text), _) = write, references.contains(field),
                    let id = try? RecordID(text)
                {
                    ids.insert(id)
                }
            }
        }
        return ids
    }
}
