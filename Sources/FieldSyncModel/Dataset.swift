/// A set of records with the mutations applied to them: a replica's state, or the reference state in tests.
///
/// `apply` is idempotent by (replica, seq) and, for every write but `merge`, its result does not depend on the order
/// of delivery, so replicas that have applied the same mutations are equal.
public struct Dataset: Hashable, Sendable {
    /// Every record any write has touched (including deleted ones and ones whose create has not arrived yet).
    public private(set) var records: [RecordID: RecordState]
    /// The mutations applied.
    public private(set) var applied: Set<MutationKey>

    /// Creates an empty dataset.
    public init() {
        self.records = [:]
        self.applied = []
    }

    /// Applies a mutation made by `author`; returns `false` (and changes nothing) when it was applied before.
    ///
    /// Writes follow merges as the server applies them (`RecordMerge`): with merges, the result depends on the order
    /// mutations arrive in, which the server decides.
    @discardableResult
    public mutating func apply(_ mutation: Mutation, author: String) -> Bool {
        guard applied.insert(mutation.key).inserted else { return false }
        var added = 0
        for (index, original) in mutation.writes.enumerated() {
            let write = original.redirected(references: Self.references) { id in
                RecordMerge.resolve(id) { records[$0] }
            }
            guard case .merge(let dup, let keep) = write else {
                records[write.record, default: RecordState()]
                    .apply(write, id: mutation.writeID(index), hlc: mutation.hlc, author: author)
                continue
            }
            guard dup != keep, let dupState = records[dup], let keepState = records[keep] else { continue }
            let children = records.filter {
                $0.value.entity != .customer && $0.value.value("customer").text == dup.rawValue
            }
            let outcome = RecordMerge.apply(
                write, index: index, of: mutation, author: author, dup: dupState, keep: keepState,
                children: children.map { ($0.key, $0.value) }, firstAdded: added)
            added += outcome.addedWrites
            records[dup] = outcome.dup
            records[keep] = outcome.keep
            for child in outcome.children { records[child.id] = child.state }
        }
        return true
    }

    private static let references = Schema.fieldSync.referenceFields

    /// The record `id` stands for now, following merges.
    public func resolve(_ id: RecordID) -> RecordID { RecordMerge.resolve(id) { records[$0] } }

    /// The state of `id` if the record exists (created and not deleted).
    public subscript(id: RecordID) -> RecordState? {
        guard let state = records[id], state.exists else { return nil }
        return state
    }

    /// The entity of `id` if the record exists: the lookup `Schema.validate` needs.
    public func entity(of id: RecordID) -> EntityKind? { self[id]?.entity }

    /// The ids of existing records of `entity`, sorted.
    public func ids(of entity: EntityKind) -> [RecordID] {
        records.filter { $0.value.entity == entity && $0.value.exists }.keys.sorted()
    }

    /// Every open conflict, by record id.
    public func conflicts(schema: Schema = .fieldSync) -> [Conflict] {
        records.keys.sorted().flatMap { records[$0]!.conflicts(of: $0, schema: schema) }
    }

    /// This state with `pending` mutations replayed on top, in order: what a client shows while they wait.
    public func rebased(_ pending: [(mutation: Mutation, author: String)]) -> Dataset {
        var view = self
        for (mutation, author) in pending { view.apply(mutation, author: author) }
        return view
    }
}
