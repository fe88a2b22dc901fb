extension PullResponse {
    /// Reads a pull page in one pass (`JSONReader`; each record's state as `RecordState(compactJSON:)` reads it),
    /// without Foundation's `JSONDecoder`, which took most of a fresh laptop's time. `nil` for anything but the plain
    /// shape (an unknown key, a state with parts the server never sends): `Codable` then reads it, or says what is
    /// wrong with it.
    public init?(compactJSON bytes: [UInt8]) {
        var reader = JSONReader(bytes)
        guard let page = reader.pullResponse(), reader.atEnd() else { return nil }
        self = page
    }
}

extension JSONReader {
    fileprivate mutating func pullResponse() -> PullResponse? {
        var records: [RecordSnapshot]?
        var removed: [RecordID]?
        var (cursor, hlc, generation): (String?, HLCTimestamp?, String?)
        var (changeSeq, more, reset): (Int64?, Bool?, Bool?)
        var keys: Set<String> = []
        let read = object { reader, key in
            guard keys.insert(key).inserted else { return false }
            switch key {
            case "records": records = reader.array { reader in reader.snapshot() }
            case "removed": removed = reader.array { reader in reader.string().flatMap { try? RecordID($0) } }
            case "cursor": cursor = reader.string()
            case "changeSeq": changeSeq = reader.integer()
            case "more": more = reader.bool()
            case "reset": reset = reader.bool()
            case "hlc": hlc = reader.string().flatMap { try? HLCTimestamp(parsing: $0) }
            case "generation":
                guard !reader.null() else { return true }
                generation = reader.string()
                return generation != nil
            default: return false
            }
            switch key {
            case "records": return records != nil
            case "removed": return removed != nil
            case "cursor": return cursor != nil
            case "changeSeq": return changeSeq != nil
            case "more": return more != nil
            case "reset": return reset != nil
            default: return hlc != nil
            }
        }
        guard read, let records, let removed, let cursor, let changeSeq, let more, let reset, let hlc else {
            return nil
        }
        return PullResponse(
            records: records, removed: removed, cursor: cursor, changeSeq: changeSeq, more: more, reset: reset,
            hlc: hlc,
            generation: generation)
    }

    private mutating func snapshot() -> RecordSnapshot? {
        var (id, territory, version, state): (RecordID?, String?, Int64?, RecordState?)
        var keys: Set<String> = []
        let read = object { reader, key in
            guard keys.insert(key).inserted else { return false }
            switch key {
            case "id": id = reader.string().flatMap { try? RecordID($0) }
            case "territory": territory = reader.string()
            case "version": version = reader.integer()
            case "state": state = reader.recordState()
            default: return false
            }
            switch key {
            case "id": return id != nil
            case "territory": return territory != nil
            case "version": return version != nil
            default: return state != nil
            }
        }
        guard read, let id, let territory, let version, let state else { return nil }
        return RecordSnapshot(id: id, territory: territory, version: version, state: state)
    }
}
