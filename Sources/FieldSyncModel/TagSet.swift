/// A set of tags merged add-wins per element (an observed-remove set).
///
/// Each add is identified by its write id; a remove cancels only the adds of that element its writer had seen, so a
/// concurrent add survives and concurrent adds never conflict.
public struct TagSet: Hashable, Sendable, Codable {
    /// For each present element, the ids of the adds not yet removed.
    public private(set) var adds: [String: Set<WriteID>]
    /// Ids of adds cancelled by removes applied here.
    public private(set) var removed: Set<WriteID>

    /// Creates a tag set.
    public init(adds: [String: Set<WriteID>] = [:], removed: Set<WriteID> = []) {
        self.adds = adds
        self.removed = removed
    }

    /// Applies an add of `element` by write `id`; returns whether the set changed.
    @discardableResult
    public mutating func add(_ element: String, id: WriteID) -> Bool {
        guard !removed.contains(id) else { return false }
        return adds[element, default: []].insert(id).inserted
    }

    /// Applies a remove of `element` that had seen the adds `bases`; returns whether the set changed.
    @discardableResult
    public mutating func remove(_ element: String, bases: [WriteID]) -> Bool {
        removed.formUnion(bases)
        guard var ids = adds[element] else { return false }
        let before = ids.count
        ids.subtract(bases)
        adds[element] = ids.isEmpty ? nil : ids
        return ids.count != before
    }

    /// The elements present, sorted.
    public var elements: [String] { adds.keys.sorted() }

    /// The ids of the live adds of `element` (the bases a remove of it should carry).
    public func addIDs(of element: String) -> [WriteID] { (adds[element] ?? []).sorted() }

    /// The ids of every live add.
    public var liveIDs: [WriteID] { adds.values.flatMap { $0 } }
}
