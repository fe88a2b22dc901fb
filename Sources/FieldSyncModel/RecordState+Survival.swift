extension RecordState {
    /// Whether this state still holds write `write` (id `id`) as "nothing lost" requires: live (a field head, a tag
    /// add, a note, a delete, a keep), or superseded by a write that named it as a base (`named`). A live delete of a
    /// record still shown must be listed as a delete conflict; a remove's and a restore's bases must be gone.
    ///
    /// The simulator and the sync tests check every acknowledged write with it. A set, add, remove or note addressed to
    /// a merged record is held by the record it stands for now (`RecordMerge.resolve`).
    public func holds(_ write: Write, id: WriteID, named: Set<WriteID>) -> Bool {
        if named.contains(id) { return true }
        switch write {
        case .create: return creation != nil
        case .set(_, let field, _, _): return self.field(field)?.heads.contains { $0.id == id } == true
        case .add(_, let field, _): return tagSet(field)?.liveAdds.contains { $0.id == id } == true
        case .remove(_, let field, let element, let bases):
            return Set(tagSet(field)?.addIDs(of: element) ?? []).isDisjoint(with: bases)
        case .note: return notes.count { $0.id == id } == 1
        case .delete:
            guard deletes.contains(where: { $0.id == id }) else { return false }
            return isDeleted || merged != nil || conflicts(of: write.record).contains { $0.kind == .delete }
        case .restore(_, let bases):
            return keeps.contains { $0.id == id } && Set(deletes.map(\.id)).isDisjoint(with: bases)
        case .merge:
            return merged != nil
        }
    }
}
