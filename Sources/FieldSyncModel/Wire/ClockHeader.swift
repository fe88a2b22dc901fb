/// The header a client puts on every request: its wall clock, in milliseconds since 1970, read as the request is
/// sent. The server measures a laptop's clock offset from it (never from the timestamps of edits, which may have been
/// made offline long before).
public enum ClockHeader {
    /// The header's name.
    public static let name = "FieldSync-Clock"
}

/// The header a client puts on every request (login, push, pull, …) naming the schema version it speaks. Absent: 1,
/// as the first release sent nothing. The server reads the request and writes the answer in that version.
public enum SchemaHeader {
    /// The header's name.
    public static let name = "FieldSync-Schema"
}
