/// A set of tags merged add-wins per element (an observed-remove set).
///
/// Each add is a head (its write id, the element, its time and author); a remove cancels only the adds of that element
/// its writer had seen, so a concurrent add survives and concurrent adds never conflict. A remove's bases count only
/// for its own element: naming an add of another tag cancels nothing, whatever the arrival order.
public struct TagSet: Hashable, Sendable {
    /// For each present element, the adds not yet removed, ordered by write id (each head's value is the element).
    public private(set) var adds: [String: [Head]]
    /// For each element, the ids of its adds cancelled by removes applied here (needed only where an add can arrive
    /// after a remove that saw it; the server forgets them, see `RecordState.forgetSuperseded()`).
    public private(set) var removed: [String: Set<WriteID>]

    /// Creates a tag set.
    public init(adds: [String: [Head]] = [:], removed: [String: Set<WriteID>] = [:]) {
        self.adds = adds.mapValues { $0.sorted { $0.id < $1.id } }.filter { !$0.value.isEmpty }
        self.removed = removed.filter { !$0.value.isEmpty }
    }

    /// Applies an add of the element `add.value` names; returns whether the set changed.
    @discardableResult
    public mutating func add(_ add: Head) -> Bool {
        guard let element = add.value.text, removed[element]?.contains(add.id) != true else { return false }
        var heads = adds[element] ?? []
        guard !heads.contains(where: { $0.id == add.id }) else { return false }
        heads.insert(add, at: heads.firstIndex { add.id < $0.id } ?? heads.endIndex)
        adds[element] = heads
        return true
    }

    /// Applies a remove of `element` that had seen the adds `bases`; returns whether the set changed.
    @discardableResult
    public mutating func remove(_ element: String, bases: [WriteID]) -> Bool {
        guard !bases.isEmpty else { return false }
        removed[element, default: []].formUnion(bases)
        guard let heads = adds[element] else { return false }
        let kept = heads.filter { !bases.contains($0.id) }
        adds[element] = kept.isEmpty ? nil : kept
        return kept.count != heads.count
    }

    /// Forgets the ids of cancelled adds (safe where every add arrives before any remove that saw it).
    public mutating func forgetRemoved() { removed = [:] }

    /// The elements present, sorted.
    public var elements: [String] { adds.keys.sorted() }

    /// The ids of the live adds of `element` (the bases a remove of it should carry).
    public func addIDs(of element: String) -> [WriteID] { (adds[element] ?? []).map(\.id) }

    /// Every live add.
    public var liveAdds: [Head] { adds.values.flatMap { $0 } }
}
