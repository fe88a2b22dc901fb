import Foundation
import ServiceLifecycle

/// Gives memory back once the server has gone quiet: at every `interval` at which no connection is open, the store drops
/// what it keeps only for speed (decoded states, SQLite's page caches) and the C allocator returns its free pages to
/// the system (glibc's `malloc_trim`; it otherwise keeps what a burst of 300 laptops made it take). Under load nothing
/// happens: a connection is open at every tick.
struct QuietMemoryRelease<Store: SyncStore>: Service {
    let store: Store
    let registry: ConnectionRegistry
    let interval: Duration

    func run() async throws {
        // Ends, without an error, when the server shuts down (the sleep is cancelled).
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                guard registry.count == 0 else { continue }
                store.releaseMemory()
                CAllocator.returnFreePages()
            }
        }
    }
}

/// The C allocator under Swift's.
enum CAllocator {
    /// Returns the allocator's free pages to the system (glibc's `malloc_trim`, looked up at run time: Swift's Glibc
    /// module does not declare it); does nothing on other C libraries.
    static func returnFreePages() { _ = trim?(0) }

    private static let trim = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map {
        unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self)
    }
}
