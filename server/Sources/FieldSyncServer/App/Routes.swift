import Hummingbird

/// Every path the server answers and the methods it takes there: a wrong method is answered 405 with `Allow`.
enum Routes {
    /// Path segments (`*` matches one segment) and the methods of each route.
    static let table: [(segments: [String], methods: [HTTPRequest.Method])] = [
        (["healthz"], [.get]), (["metrics"], [.get]),
        (["v1", "login"], [.post]), (["v1", "logout"], [.post]), (["v1", "replicas"], [.post]),
        (["v1", "push"], [.post]), (["v1", "pull"], [.get]), (["v1", "conflicts"], [.get]),
        (["v1", "records", "*", "history"], [.get]),
        (["console"], [.get]), (["console", "login"], [.get, .post]), (["console", "logout"], [.post]),
        (["console", "style.css"], [.get]), (["console", "pipeline"], [.get]), (["console", "team"], [.get]),
        (["console", "customers"], [.get]), (["console", "customers", "*"], [.get]),
        (["console", "conflicts"], [.get]), (["console", "conflicts", "resolve"], [.post]),
        (["console", "complaints"], [.get]),
        (["console", "duplicates"], [.get]),
    ]

    /// The methods `path` takes, or `nil` when no route has that path.
    static func methods(for path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return table.first { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { $0 == "*" || $0 == $1 }
        }?.methods
    }
}
