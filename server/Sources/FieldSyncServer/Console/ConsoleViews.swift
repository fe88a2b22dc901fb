import FieldSyncModel
import Foundation

/// What the console shows each user: every record they may see, kept current by pulling from the store as a laptop
/// does (the same visibility rules, the same catch-ups when their view changes), so a page costs an incremental
/// pull of what changed since the last one plus the page's own arithmetic.
actor ConsoleViews<Store: SyncStore> {
    private struct View: Sendable {
        var content = ConsoleView()
        var cursor = Cursor.start
        /// The records seen by a pass from the beginning still under way.
        var pass: Set<RecordID>?
        var usedAt = ContinuousClock.now
    }

    /// A rendered page: the same while the user's view, the session and the minute are.
    struct PageKey: Hashable, Sendable {
        /// The path and query asked for.
        let uri: String
        /// The session's CSRF token, which the page's forms carry.
        let csrf: String
        /// The view's version when the page was rendered.
        let version: Int
        /// The minute of the server's clock (pages show the time and ages).
        let minute: Int64
    }

    /// Pages rendered for each user at their view's current version, at most `pageCapacity` each.
    private var pages: [Int64: [PageKey: String]] = [:]
    private let pageCapacity = 64

    /// A view while a refresh changes it: a reference, so the refresh edits its only copy in place (a struct
    /// captured by the refresh's task would be copied, every record of it, at the first change). Only that task
    /// touches it until the task ends.
    private final class Refreshing: @unchecked Sendable {
        var view: View
        init(_ view: View) { self.view = view }
    }

    private let store: Store
    /// Users whose views are kept; the least recently used is dropped first.
    private let capacity: Int
    private var views: [Int64: View] = [:]
    private var refreshing: [Int64: Task<Refreshing, any Error>] = [:]

    init(store: Store, capacity: Int = 32) {
        self.store = store
        self.capacity = capacity
    }

    /// What `principal` sees, brought up to date.
    func view(for principal: Principal) async throws -> ConsoleView {
        let user = principal.user.id
        if let running = refreshing[user] { return try await running.value.view.content }
        // Taken out while it refreshes, so the refresh changes the only copy in place.
        let box = Refreshing(views.removeValue(forKey: user) ?? View())
        let store = self.store
        let task = Task {
            try await Self.refresh(box, for: principal, from: store)
            return box
        }
        refreshing[user] = task
        defer { refreshing[user] = nil }
        var view: View
        do {
            view = try await task.value.view
        } catch {
            // Keep what the pages before the failure brought (its cursor matches them); the next page goes on.
            views[user] = box.view
            throw error
        }
        view.usedAt = .now
        views[user] = view
        if views.count > capacity, let oldest = views.min(by: { $0.value.usedAt < $1.value.usedAt })?.key {
            views[oldest] = nil
            pages[oldest] = nil
        }
        return view.content
    }

    /// The page `key` rendered earlier for `user`, if nothing it shows has changed since.
    func page(_ key: PageKey, for user: Int64) -> String? { pages[user]?[key] }

    /// Keeps `html` as page `key` of `user`, dropping their pages of older versions or minutes.
    func keep(_ html: String, as key: PageKey, for user: Int64) {
        var kept = (pages[user] ?? [:]).filter { $0.key.version == key.version && $0.key.minute == key.minute }
        if kept.count >= pageCapacity { kept.removeAll() }
        kept[key] = html
        pages[user] = kept
    }

    private static func refresh(_ box: Refreshing, for principal: Principal, from store: Store) async throws {
        let decoder = JSONDecoder()
        while true {
            let page = try await store.pull(for: principal, cursor: box.view.cursor, limit: 5_000)
            if page.reset { box.view.pass = [] }
            for snapshot in page.records {
                let state = try decoder.decode(RecordState.self, from: Data(snapshot.state))
                box.view.content.put(snapshot.id, .init(territory: snapshot.territory, state: state))
                box.view.pass?.insert(snapshot.id)
            }
            for id in page.removed { box.view.content.remove(id) }
            if let pass = box.view.pass, !page.more {
                let gone = box.view.content.records.keys.filter { !pass.contains($0) }
                for id in gone { box.view.content.remove(id) }
                box.view.pass = nil
            }
            box.view.cursor = page.cursor
            if !page.more { return }
        }
    }
}
