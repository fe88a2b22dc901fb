/// Record merge: the one rule for folding a duplicate customer (DUP) into the card kept (KEEP), shared by the server,
/// the laptop's view and the tests.
///
/// A `merge` write on DUP names KEEP. The server applies it in its order:
/// 1. Both ids are resolved through earlier merges (`resolve`); when they name the same record the merge is already
///    done and changes nothing (two managers merging A into B and B into A: the first to arrive stands).
/// 2. DUP takes a redirect to KEEP: it no longer exists, and its state stays for its history.
/// 3. KEEP absorbs DUP's field heads (except `territory`: KEEP stays where it is), tag adds and notes, each with its
///    write id, value, author and time (`RecordState.absorb`). A field only DUP had is carried over; a field where the
///    two hold different values keeps both as heads: a conflict for review like any other.
/// 4. Every child of DUP (a record whose `customer` is DUP) gets `customer = KEEP` by a write of the merge's own
///    mutation (`childMove`), and with it KEEP's territory.
///
/// Writes that reach the server later still addressed to DUP (set, add, remove, note; a territory set excepted) are
/// applied to KEEP, and a
/// reference to DUP names KEEP (`Write.redirected`): an edit made offline before the laptop learned of the merge lands
/// on the kept card, and its bases keep their meaning because the heads it saw moved with their ids. A delete or
/// restore of DUP stays on DUP: the card it meant is already gone, and KEEP is not touched.
public enum RecordMerge {
    /// The most redirects followed before giving up (a longer chain than any team makes; a cycle cannot form, since a
    /// merge of a record into itself is never applied).
    public static let maxRedirects = 64

    /// The field a merge leaves as KEEP had it.
    public static let keptFields: Set<String> = ["territory"]

    /// The record `id` stands for now: itself, or the record it was merged into, following every redirect.
    public static func resolve(_ id: RecordID, state: (RecordID) throws -> RecordState?) rethrows -> RecordID {
        var current = id
        for _ in 0..<maxRedirects {
            guard let next = try state(current)?.redirect, next != current else { return current }
            current = next
        }
        return current
    }

    /// What one merge changes, for the caller to store: DUP with its redirect, KEEP with DUP's content, and each child
    /// with the write that moved it and that write's id.
    public struct Outcome: Sendable {
        /// The duplicate, now a redirect.
        public var dup: RecordState
        /// The kept record, now holding the duplicate's content.
        public var keep: RecordState
        /// Each child of the duplicate: its id, its new state, the write that moved it and that write's id.
        public var children: [(id: RecordID, state: RecordState, write: Write, writeID: WriteID)]
        /// The id under which the server's history records KEEP's side of the merge.
        public var absorbID: WriteID
        /// How many write ids the merge added to its mutation (the absorb and one per child).
        public var addedWrites: Int { 1 + children.count }
    }

    /// Merges `dup` into `keep` by `write` (a `merge` whose records are already resolved and differ), the write
    /// `index` of `mutation` made by `author`; `children` are every record whose `customer` is DUP, and `firstAdded`
    /// the first write id offset no earlier merge of the mutation used (`addedWriteID`).
    public static func apply(
        _ write: Write, index: Int, of mutation: Mutation, author: String, dup: RecordState, keep: RecordState,
        children: [(id: RecordID, state: RecordState)], firstAdded: Int
    ) -> Outcome {
        guard case .merge(_, let keepID) = write else { preconditionFailure("RecordMerge.apply takes a merge write") }
        var dup = dup
        var keep = keep
        dup.apply(write, id: mutation.writeID(index), hlc: mutation.hlc, author: author)
        keep.absorb(dup)
        var moved: [(id: RecordID, state: RecordState, write: Write, writeID: WriteID)] = []
        for (offset, child) in children.sorted(by: { $0.id < $1.id }).enumerated() {
            let move = childMove(child.id, state: child.state, keep: keepID)
            let id = addedWriteID(mutation, offset: firstAdded + 1 + offset)
            var state = child.state
            state.apply(move, id: id, hlc: mutation.hlc, author: author)
            moved.append((child.id, state, move, id))
        }
        return Outcome(
            dup: dup, keep: keep, children: moved, absorbID: addedWriteID(mutation, offset: firstAdded))
    }

    /// Whether the records (`state` gives each, merged ones included) still hold `write` (id `id`) as "nothing lost"
    /// requires once merges are followed: a set, add, remove or note of a merged customer is held by the record it
    /// stands for now; a merge, when the two records it named now stand for one; a child's `customer` set to a
    /// customer merged since, when the child now belongs to the customer kept (the merge moved it). Everything else
    /// as `RecordState.holds` says, on the record the write named.
    public static func holds(
        _ write: Write, id: WriteID, named: Set<WriteID>, state: (RecordID) -> RecordState?
    ) -> Bool {
        let survivor = resolve(write.record, state: state)
        switch write {
        case .merge(let dup, let into):
            return resolve(dup, state: state) == resolve(into, state: state)
        case .set(_, "territory", _, _), .create, .delete, .restore:
            return state(write.record)?.holds(write, id: id, named: named) == true
        case .set(_, "customer", .text(let target), _):
            if state(survivor)?.holds(write, id: id, named: named) == true { return true }
            guard let target = try? RecordID(target) else { return false }
            let kept = resolve(target, state: state)
            return kept != target && state(survivor)?.value("customer") == .text(kept.rawValue)
        default:
            return state(survivor)?.holds(write, id: id, named: named) == true
        }
    }

    /// The write that moves child `child` (its current state `state`) from a merged customer to `keep`: a set of its
    /// `customer` that has seen every head of it.
    public static func childMove(_ child: RecordID, state: RecordState, keep: RecordID) -> Write {
        .set(
            record: child, field: "customer", value: .text(keep.rawValue),
            bases: state.fields["customer"]?.heads.map(\.id) ?? [])
    }

    /// The id of the `offset`-th write a merge adds to its mutation (the children's moves): numbered after the
    /// mutation's own writes, so every change the server makes for a merge has a write id of its own.
    public static func addedWriteID(_ mutation: Mutation, offset: Int) -> WriteID {
        mutation.writeID(mutation.writes.count + offset)
    }
}

extension Write {
    /// This write as it applies once merges are followed: a set (but of `RecordMerge.keptFields`), add, remove or note
    /// of a merged record goes to the record it was merged into, a reference (a field in `references`) to a merged record names the kept one, and a
    /// merge names the records both sides stand for now. A create, delete or restore keeps its record.
    public func redirected(references: Set<String>, _ resolve: (RecordID) throws -> RecordID) rethrows -> Write {
        switch self {
        case .set(_, let field, _, _) where RecordMerge.keptFields.contains(field):
            // A territory set for the merged card stays on it, as a merge leaves KEEP's own: in either order of
            // arrival, KEEP stays where it is.
            return self
        case .set(let record, let field, let value, let bases):
            var value = value
            if references.contains(field), let text = value.text, let target = try? RecordID(text) {
                value = .text(try resolve(target).rawValue)
            }
            return .set(record: try resolve(record), field: field, value: value, bases: bases)
        case .add(let record, let field, let element):
            return .add(record: try resolve(record), field: field, element: element)
        case .remove(let record, let field, let element, let bases):
            return .remove(record: try resolve(record), field: field, element: element, bases: bases)
        case .note(let record, let text):
            return .note(record: try resolve(record), text: text)
        case .merge(let record, let into):
            return .merge(record: try resolve(record), into: try resolve(into))
        case .create, .delete, .restore:
            return self
        }
    }
}

extension Schema {
    /// The names of the fields that refer to another record (a child's `customer`).
    public var referenceFields: Set<String> {
        Set(
            entities.flatMap { entity in
                entity.fields.filter {
                    if case .reference = $0.type { return true }
                    return false
                }.map(\.name)
            })
    }
}
