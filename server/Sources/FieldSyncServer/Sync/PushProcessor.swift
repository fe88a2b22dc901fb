import FieldSyncModel

/// The server's rules for a push: idempotency (by seq and digest), seq gaps, clock skew, object-level authorization, validation, causal
/// bases, merge, territory cascade. Pure: it reads through a `PushSource` and returns a `ProcessedPush` for the store
/// to commit, so every store shares the same rules.
public struct PushProcessor: Sendable {
    /// The schema writes are validated against.
    public let schema: Schema
    /// The largest accepted lead of a mutation's timestamp over the server's clock.
    public let maxForwardSkewMs: Int64
    /// The server's physical time for this push.
    public let nowMs: Int64
    /// The laptop's wall clock when it sent the push (the `FieldSync-Clock` header), if it said.
    public let clientClockMs: Int64?
    /// Pushed mutations that could not be read, by seq (their placeholders carry no writes): each is refused under
    /// its seq, and the rest of the push goes on.
    var malformed: [UInt64: MalformedMutation] = [:]
    /// The receipts the push carried for re-offered mutations, by seq (`AcknowledgementReceipt`).
    var receipts: [UInt64: String] = [:]
    /// The older schema version the laptop speaks, if it does (`FieldSync-Schema`): its writes are validated against
    /// that version, so it may not write what it cannot see; `nil` for the server's own version.
    public var olderSchema: Schema?

    /// Creates a processor for one push.
    public init(
        schema: Schema = .fieldSync, maxForwardSkewMs: Int64, nowMs: Int64, clientClockMs: Int64? = nil
    ) {
        self.schema = schema
        self.maxForwardSkewMs = maxForwardSkewMs
        self.nowMs = nowMs
        self.clientClockMs = clientClockMs
    }

    /// How far the pushing laptop's wall clock reads ahead of the server's (negative: behind): measured from the
    /// clock the request carried, never from edit times (edits made offline an hour ago are not a clock an hour
    /// behind).
    public var clockOffsetMs: Int64? { clientClockMs.map { $0 - nowMs } }

    /// A refusal of one mutation: it is recorded and reported, and later mutations go on.
    struct Refusal: Error {
        let code: ErrorCode
        let reason: String
    }

    /// Processes `mutations` (all from `principal.replica`, in seq order) against `source`.
    public func process(_ mutations: [Mutation], by principal: Principal, source: some PushSource) throws
        -> ProcessedPush
    {
        var outcome = ProcessedPush()
        var state = PushState(source: source)
        var lastSeq = try source.lastSeq(of: principal.replica)
        let key = try source.receiptKey()
        let user = principal.user.name
        func receipt(_ digest: String) -> String? {
            key.map { AcknowledgementReceipt.sign(digest, user: user, key: $0) }
        }
        var cloned = false
        for mutation in mutations {
            if cloned {
                outcome.results.append(Self.cloned(mutation.seq))
                continue
            }
            guard mutation.seq >= 1 else {
                outcome.results.append(
                    MutationResult(
                        seq: 0, status: .rejected, code: .invalidMutation,
                        reason: "Mutation seqs start at 1; seq 0 is never processed."))
                continue
            }
            let digest = MutationDigest.of(mutation)
            if mutation.seq <= lastSeq {
                let known =
                    try outcome.digests.first { $0.seq == mutation.seq }?.digest
                    ?? source.digest(replica: mutation.replica, seq: mutation.seq)
                // A seq processed before the server kept digests has none: it can only be a true resend.
                if let known, known != digest {
                    cloned = true
                    outcome.results.append(Self.cloned(mutation.seq))
                    continue
                }
                let earlier =
                    try outcome.rejections.first { $0.seq == mutation.seq }.map { ($0.code, $0.reason) }
                    ?? source.rejection(replica: mutation.replica, seq: mutation.seq)
                outcome.results.append(
                    earlier.map { MutationResult(seq: mutation.seq, status: .rejected, code: $0.0, reason: $0.1) }
                        ?? MutationResult(seq: mutation.seq, status: .duplicate, receipt: receipt(digest)))
                continue
            }
            guard mutation.seq == lastSeq + 1 else {
                outcome.results.append(
                    MutationResult(
                        seq: mutation.seq, status: .retry, code: .seqGap,
                        reason:
                            "The server has this replica's mutations up to \(lastSeq): push again from seq \(lastSeq + 1)."
                    ))
                continue
            }
            lastSeq = mutation.seq
            outcome.digests.append((mutation.seq, digest))
            let checkpoint = state.checkpoint()
            let vouched =
                key.flatMap { key in
                    receipts[mutation.seq].map {
                        AcknowledgementReceipt.verify($0, digest: digest, user: user, key: key)
                    }
                } ?? false
            do {
                try apply(mutation, by: principal, vouched: vouched, to: &state)
                outcome.results.append(MutationResult(seq: mutation.seq, status: .applied, receipt: receipt(digest)))
            } catch let refusal as Refusal {
                state.rollback(to: checkpoint)
                outcome.rejections.append((mutation.seq, refusal.code, refusal.reason))
                outcome.results.append(
                    MutationResult(seq: mutation.seq, status: .rejected, code: refusal.code, reason: refusal.reason))
            }
        }
        outcome.lastSeq = lastSeq
        outcome.changed = state.changedOrder.map { state.records[$0]!! }
        outcome.history = state.history
        outcome.moves = state.moves
        return outcome
    }

    /// The answer to a mutation under a seq another install of the replica used, and to every later one of the push:
    /// nothing of them is processed, and the laptop sends them again under a new replica id.
    static func cloned(_ seq: UInt64) -> MutationResult {
        MutationResult(
            seq: seq, status: .retry, code: .replicaCloned,
            reason: "The server already has a different change numbered \(seq) from this laptop's replica id: its"
                + " data folder was copied or restored. Take a new replica id and push these changes again under it.")
    }

    /// Applies one mutation to `state`, or throws a `Refusal` and leaves the caller's copy unchanged.
    ///
    /// A `vouched` mutation carried the server's own receipt: a re-offer, to a server restored from a backup, of a
    /// change it authorized once. Its shape, timestamp and bases are checked as ever; the rules about who may write
    /// where (territories, owners, references to deleted records) are not asked again, since what they read may since
    /// have changed under re-offers that arrived first, in an order the original history did not have.
    private func apply(
        _ mutation: Mutation, by principal: Principal, vouched: Bool, to state: inout PushState<some PushSource>
    ) throws {
        if mutation.writes.isEmpty, let problem = malformed[mutation.seq] {
            throw Refusal(code: problem.code, reason: problem.reason)
        }
        do {
            try HybridLogicalClock(replica: mutation.replica, maxForwardSkewMs: maxForwardSkewMs)
                .check(mutation.hlc, physicalMs: nowMs)
        } catch {
            throw Refusal(code: error.code, reason: error.message)
        }
        // Writes addressed to a merged customer go to the one it was merged into (`RecordMerge`); every rule below
        // reads the mutation as it will be applied.
        var mutation = try redirected(mutation, state: &state)
        if !vouched {
            try authorizeExisting(mutation, by: principal, state: &state)
            try authorizeMerges(mutation, by: principal)
        }
        do {
            try (olderSchema ?? schema).validate(mutation) { id in
                guard let record = try? state.record(id), vouched || principal.canSee(territory: record.territory)
                else {
                    return nil
                }
                return record.entity
            }
        } catch {
            throw Refusal(code: error.code, reason: error.message)
        }
        // Read in the laptop's version, applied and recorded under current names (old names are aliases).
        mutation = mutation.currentNames(in: schema) { id in (try? state.record(id))?.entity }
        if !vouched {
            try authorizeTerritories(mutation, by: principal, state: &state)
            try refuseDeletedReferences(mutation, state: &state)
            do {
                try schema.checkWorkflow(
                    mutation, stored: { id in (try? state.record(id))?.state }, mayReopen: principal.canMoveRecords)
            } catch {
                throw Refusal(code: error.code, reason: error.message)
            }
        }
        try checkBases(mutation, state: &state)
        var touched = mutation.records
        var added = 0
        for (index, write) in mutation.writes.enumerated() {
            let id = mutation.writeID(index)
            if case .merge(let dup, let keep) = write {
                touched += try merge(
                    write, index: index, of: mutation, dup: dup, keep: keep, author: principal.user.name,
                    added: &added, state: &state)
                continue
            }
            var record =
                try state.record(write.record)
                ?? {
                    guard case .create(_, let entity) = write else {
                        preconditionFailure("validated: create comes first")
                    }
                    return StoredRecord(
                        id: write.record, entity: entity, territory: "", version: 0, state: RecordState())
                }()
            var oldValue: Value?
            var newValue: Value?
            switch write {
            case .set(_, let field, let value, _):
                oldValue = record.state.value(field, schema: schema)
                newValue = value
            case .add(_, _, let element), .remove(_, _, let element, _):
                newValue = .text(element)
            case .note(_, let text):
                newValue = .text(text)
            case .create(_, let entity):
                newValue = .text(entity.rawValue)
            case .delete, .restore, .merge:
                break
            }
            record.state.apply(write, id: id, hlc: mutation.hlc, author: principal.user.name)
            record.state.forgetSuperseded()
            state.update(record)
            state.history.append(
                AcceptedWrite(
                    record: write.record, write: id, op: write.op, field: write.field, oldValue: oldValue,
                    newValue: newValue, author: principal.user.name, hlc: mutation.hlc))
            state.acceptedWrites[id] = write.target
        }
        for record in touched { try state.deriveTerritory(of: record) }
        if !vouched { try authorizeAssignees(mutation, by: principal, state: &state) }
        for id in touched {
            guard let record = try state.record(id) else { continue }
            do {
                try schema.checkBounds(of: record.state, record: id)
            } catch {
                throw Refusal(code: error.code, reason: error.message)
            }
        }
        if !vouched,
            let outside = mutation.records.first(where: {
                !principal.canSee(territory: (try? state.record($0))?.territory ?? "")
            })
        {
            throw Refusal(
                code: .forbidden,
                reason:
                    "This change would move \(outside) out of your territories; ask a manager of the target territory.")
        }
    }

    /// The mutation as it applies once merges are followed (`Write.redirected`).
    private func redirected(_ mutation: Mutation, state: inout PushState<some PushSource>) throws -> Mutation {
        let references = schema.referenceFields
        let writes = try mutation.writes.map { write in
            try write.redirected(references: references) { id in try state.resolve(id) }
        }
        guard writes != mutation.writes else { return mutation }
        return Mutation(replica: mutation.replica, seq: mutation.seq, hlc: mutation.hlc, writes: writes)
    }

    /// Only managers and admins merge customers (the records themselves are checked like any other write's).
    private func authorizeMerges(_ mutation: Mutation, by principal: Principal) throws {
        for case .merge(let dup, let keep) in mutation.writes where !principal.canMoveRecords {
            throw Refusal(
                code: .forbidden,
                reason: "Only managers and admins merge customers: ask your manager to merge \(dup) into \(keep).")
        }
    }

    /// Applies merge `write` (index `index` of `mutation`) of `dup` into `keep` (both resolved) and records its
    /// history; returns the records it changed besides the merged one. A merge of a record into itself (another merge
    /// got there first) changes nothing.
    private func merge(
        _ write: Write, index: Int, of mutation: Mutation, dup dupID: RecordID, keep keepID: RecordID, author: String,
        added: inout Int, state: inout PushState<some PushSource>
    ) throws -> [RecordID] {
        guard dupID != keepID else { return [] }
        guard var dup = try state.record(dupID), dup.state.exists else {
            let deleter = (try? state.record(dupID))??.state.deletes.map(\.author).sorted().first ?? "someone"
            throw Refusal(
                code: .unknownRecord,
                reason: "Customer \(dupID) was deleted by \(deleter): there is nothing left to merge into \(keepID).")
        }
        guard var keep = try state.record(keepID) else {
            throw Refusal(
                code: .unknownRecord,
                reason: "Customer \(keepID) does not exist or is not visible to you: sync and check.")
        }
        var childIDs = Set(try state.source.children(of: dupID).map(\.id))
        childIDs.formUnion(state.records.values.compactMap { $0 }.filter { $0.customer == dupID }.map(\.id))
        let children = try childIDs.compactMap { id in try state.record(id) }.filter { $0.customer == dupID }
        let outcome = RecordMerge.apply(
            write, index: index, of: mutation, author: author, dup: dup.state, keep: keep.state,
            children: children.map { ($0.id, $0.state) }, firstAdded: added)
        added += outcome.addedWrites
        dup.state = outcome.dup
        keep.state = outcome.keep
        keep.state.forgetSuperseded()
        state.update(dup)
        state.update(keep)
        let mergeID = mutation.writeID(index)
        state.history.append(
            AcceptedWrite(
                record: dupID, write: mergeID, op: "merge", field: nil, oldValue: nil,
                newValue: .text(keepID.rawValue), author: author, hlc: mutation.hlc))
        state.acceptedWrites[mergeID] = write.target
        state.history.append(
            AcceptedWrite(
                record: keepID, write: outcome.absorbID, op: "absorb", field: nil, oldValue: nil,
                newValue: .text(dupID.rawValue), author: author, hlc: mutation.hlc))
        state.acceptedWrites[outcome.absorbID] = WriteTarget(record: keepID, op: "absorb", field: nil, element: nil)
        for child in outcome.children {
            guard var moved = try state.record(child.id) else { continue }
            moved.state = child.state
            moved.state.forgetSuperseded()
            state.update(moved)
            state.history.append(
                AcceptedWrite(
                    record: child.id, write: child.writeID, op: "set", field: "customer",
                    oldValue: .text(dupID.rawValue), newValue: .text(keepID.rawValue), author: author,
                    hlc: mutation.hlc))
            state.acceptedWrites[child.writeID] = child.write.target
        }
        return [keepID] + outcome.children.map(\.id)
    }

    /// Refuses writes to records the caller may not see, telling them where a record they had went.
    private func authorizeExisting(
        _ mutation: Mutation, by principal: Principal, state: inout PushState<some PushSource>
    )
        throws
    {
        for id in mutation.records {
            guard let record = try state.record(id), !principal.canSee(territory: record.territory) else { continue }
            if let visible = principal.visibleTerritories, let target = try state.source.movedTo(id, from: visible) {
                throw Refusal(
                    code: .forbidden,
                    reason: "\(record.entity.rawValue.capitalized) \(id) moved to territory \(target) and is no longer"
                        + " yours to edit: discard this change or ask a manager of \(target) to make it.")
            }
            throw Refusal(
                code: .unknownRecord,
                reason: "Record \(id) does not exist or is not visible to you: sync and check the id.")
        }
    }

    /// Checks who may place a customer in a territory: reps only their own, managers their team's, admins any.
    private func authorizeTerritories(
        _ mutation: Mutation, by principal: Principal, state: inout PushState<some PushSource>
    ) throws {
        let created = Set(
            mutation.writes.compactMap { write -> RecordID? in
                if case .create(let id, _) = write { return id }
                return nil
            })
        for write in mutation.writes {
            guard case .set(let id, "territory", .text(let territory), _) = write else { continue }
            if !created.contains(id) && !principal.canMoveRecords {
                throw Refusal(
                    code: .forbidden, reason: "Only managers and admins move customers between territories.")
            }
            guard principal.canSee(territory: territory) else {
                let yours = principal.user.territories.sorted().joined(separator: ", ")
                throw Refusal(
                    code: .forbidden,
                    reason: "You cannot place a customer in territory \(territory): your territories are \(yours).")
            }
        }
    }

    /// The fields that name a user: a customer's owner, a visit's rep.
    static let assignedFields: Set<String> = ["owner", "rep"]

    /// Checks the users a mutation names: a rep may name only themselves as a customer's owner (managers and admins
    /// assign owners), and whoever is named must exist and see the record's territory (an owner or a visiting rep who
    /// could not open the card is a mistake, and naming an admin is no way to hide a card).
    private func authorizeAssignees(
        _ mutation: Mutation, by principal: Principal, state: inout PushState<some PushSource>
    ) throws {
        for case .set(let id, let field, .text(let name), _) in mutation.writes
        where Self.assignedFields.contains(field) {
            guard let record = try state.record(id) else { continue }
            if field == "owner" && !principal.canMoveRecords && name != principal.user.name {
                throw Refusal(
                    code: .forbidden,
                    reason: "Only managers and admins assign a customer to another rep; you may make yourself its"
                        + " owner (\(principal.user.name)).")
            }
            let themselves = name == principal.user.name && principal.canSee(territory: record.territory)
            guard try themselves || state.source.namedUser(name)?.canSee(territory: record.territory) == true else {
                throw Refusal(
                    code: .valueNotAllowed,
                    reason: "\(record.entity.rawValue).\(field) must name a user who works territory"
                        + " \(record.territory); '\(name.prefix(64))' is not one: check the user name.")
            }
        }
    }

    /// Refuses a reference to a deleted record (a visit, contact or opportunity for a customer someone deleted): the
    /// child would hang under nothing. The writer sees who deleted it and what to do.
    private func refuseDeletedReferences(_ mutation: Mutation, state: inout PushState<some PushSource>) throws {
        var created: [RecordID: EntityKind] = [:]
        for write in mutation.writes {
            if case .create(let record, let entity) = write { created[record] = entity }
            guard case .set(let record, let field, .text(let text), _) = write,
                let entity = try created[record] ?? state.record(record)?.entity,
                case .reference(let target) = schema[entity][field]?.type,
                let referenced = try? RecordID(text), let stored = try state.record(referenced),
                !stored.state.exists
            else { continue }
            let deleter = stored.state.deletes.map(\.author).sorted().first ?? "someone"
            throw Refusal(
                code: .missingReference,
                reason:
                    "\(target.rawValue.capitalized) \(referenced) was deleted by \(deleter), so nothing can be added"
                    + " under it: choose another \(target.rawValue), or ask \(deleter) about keeping it.")
        }
    }

    /// Refuses writes that build on writes the server never accepted (an earlier mutation was refused), and bases no
    /// honest client sends (another record's write, another field's, another tag's add): both are answered alike, so
    /// a base cannot tell a writer whether a write it may not see exists.
    ///
    /// After a restore from a backup, a base may name a write the restore lost that another laptop has not yet
    /// re-offered: it is refused the same way, and the laptop sends the change again once that laptop has synced.
    private func checkBases(_ mutation: Mutation, state: inout PushState<some PushSource>) throws {
        for (index, write) in mutation.writes.enumerated() {
            for base in write.bases {
                let target: WriteTarget?
                if base.replica == mutation.replica && base.seq == mutation.seq && Int(base.index) < index {
                    target = mutation.writes[Int(base.index)].target
                } else if let known = state.acceptedWrites[base] {
                    target = known
                } else if case .set(let record, let field, _, _) = write,
                    try state.record(record)?.state.fields[field]?.heads.contains(where: { $0.id == base }) == true
                {
                    target = write.target  // a head of the same field: the common case, read without a query
                } else {
                    target = try state.source.acceptedWrite(base)
                }
                // A base written before its field was renamed is recorded under the old name.
                let resolved = try target.map { target in
                    let record = try state.resolve(target.record)
                    let entity = try state.record(record)?.entity
                    return WriteTarget(
                        record: record, op: target.op,
                        field: target.field.map { field in entity.map { schema.currentName(field, of: $0) } ?? field },
                        element: target.element)
                }
                guard let resolved, write.canBuild(on: resolved) else {
                    throw Refusal(
                        code: .unknownBase,
                        reason: "This change builds on write \(base), which the server never accepted for"
                            + " \(write.record) (an earlier change was probably refused): review it with"
                            + " `fieldsync rejected`.")
                }
            }
        }
    }
}

/// The records a push has read or changed so far, over the store's source, with a journal to undo one mutation.
struct PushState<Source: PushSource> {
    let source: Source
    var records: [RecordID: StoredRecord?] = [:]
    var changedOrder: [RecordID] = []
    private var changedSet: Set<RecordID> = []
    var history: [AcceptedWrite] = []
    var moves: [(record: RecordID, from: String, to: String)] = []
    var acceptedWrites: [WriteID: WriteTarget] = [:]
    /// Values of records before the current mutation changed them.
    private var journal: [RecordID: StoredRecord?] = [:]

    /// Where the state stood before a mutation.
    struct Checkpoint {
        let changed: Int
        let history: Int
        let moves: Int
    }

    init(source: Source) { self.source = source }

    /// Starts a mutation: later changes can be undone with `rollback(to:)`.
    mutating func checkpoint() -> Checkpoint {
        journal = [:]
        return Checkpoint(changed: changedOrder.count, history: history.count, moves: moves.count)
    }

    /// Undoes every change since `checkpoint`.
    mutating func rollback(to checkpoint: Checkpoint) {
        for (id, previous) in journal { records[id] = .some(previous) }
        for id in changedOrder[checkpoint.changed...] { changedSet.remove(id) }
        changedOrder.removeSubrange(checkpoint.changed...)
        for entry in history[checkpoint.history...] { acceptedWrites[entry.write] = nil }
        history.removeSubrange(checkpoint.history...)
        moves.removeSubrange(checkpoint.moves...)
        journal = [:]
    }

    mutating func record(_ id: RecordID) throws -> StoredRecord? {
        if let cached = records[id] { return cached }
        let loaded = try source.record(id)
        records[id] = .some(loaded)
        return loaded
    }

    /// The record `id` stands for now, following merges.
    mutating func resolve(_ id: RecordID) throws -> RecordID {
        try RecordMerge.resolve(id) { try record($0)?.state }
    }

    mutating func update(_ record: StoredRecord) {
        if journal[record.id] == nil { journal[record.id] = .some(records[record.id] ?? nil) }
        if changedSet.insert(record.id).inserted { changedOrder.append(record.id) }
        records[record.id] = .some(record)
    }

    /// Sets a record's territory from its own field (customer) or its customer's, cascading a customer's move to
    /// its children and recording every move.
    mutating func deriveTerritory(of id: RecordID) throws {
        guard var record = try record(id) else { return }
        let territory: String
        if record.entity == .customer {
            territory = record.state.value("territory").text ?? record.territory
        } else if let customer = record.customer, let parent = try self.record(customer) {
            territory = parent.territory
        } else {
            territory = record.territory
        }
        guard territory != record.territory else { return }
        let moved = !record.territory.isEmpty
        if moved { moves.append((id, record.territory, territory)) }
        record.territory = territory
        update(record)
        guard record.entity == .customer, moved else { return }
        var children = try source.children(of: id).map(\.id)
        children += records.values.compactMap { $0 }.filter { $0.customer == id }.map(\.id)
        for child in Set(children).sorted() { try deriveTerritory(of: child) }
    }
}
