import Synchronization

/// The view keys a store has kept (`SyncStore.rememberView`) since it opened, so a pull writes its view once per
/// process, not once per page. A load (copy, restore) forgets them: the tables it wrote may lack them.
final class KnownViews: Sendable {
    private let keys = Mutex<Set<String>>([])

    /// Whether `key` was kept since the store opened or last loaded.
    func contains(_ key: String) -> Bool { keys.withLock { $0.contains(key) } }

    /// Notes that `key` is kept.
    func insert(_ key: String) { _ = keys.withLock { $0.insert(key) } }

    /// Forgets every key.
    func forget() { keys.withLock { $0.removeAll() } }
}
