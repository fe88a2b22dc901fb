/// The header a client puts on every request: its wall clock, in milliseconds since 1970, read as the request is
/// sent. The server measures a laptop's clock offset from it (never from the timestamps of edits, which may have been
/// made offline long before).
public enum ClockHeader {
    /// The header's name.
    public static let name = "FieldSync-Clock"
}
