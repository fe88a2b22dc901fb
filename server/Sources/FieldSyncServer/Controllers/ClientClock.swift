import FieldSyncModel
import HTTPTypes
import Hummingbird

/// Reads the laptop's wall clock from a request's `FieldSync-Clock` header.
enum ClientClock {
    private static let header = HTTPField.Name(ClockHeader.name)!

    /// The clock the request carried; `nil` without the header or with a value that is not a plausible time.
    static func milliseconds(in request: Request) -> Int64? {
        guard let text = request.headers[header], let value = Int64(text), value > 0 else { return nil }
        return value
    }
}
