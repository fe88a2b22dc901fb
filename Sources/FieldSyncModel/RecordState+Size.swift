extension RecordState {
    /// About how many bytes the record takes stored and on the wire (its compact JSON, within a few per cent): what
    /// `Schema.maxRecordBytes` bounds. Linear in the state, with no encoding.
    public var storedSizeEstimate: Int {
        let idBytes = 24
        func head(_ head: Head) -> Int { 40 + head.author.utf8.count + head.value.sizeEstimate }
        var total = 64 + (creation.map(head) ?? 0)
        for (name, field) in fields {
            total += name.utf8.count + 8 + field.superseded.count * idBytes
            for entry in field.heads { total += head(entry) }
        }
        for (name, set) in tags {
            total += name.utf8.count + 8
            for (element, adds) in set.adds { total += element.utf8.count + adds.reduce(0) { $0 + head($1) } }
            for (element, ids) in set.removed { total += element.utf8.count + ids.count * idBytes }
        }
        for note in notes { total += 40 + note.author.utf8.count + note.text.utf8.count }
        for delete in deletes { total += 40 + delete.author.utf8.count + delete.seen.count * idBytes }
        total += restored.count * idBytes + keeps.reduce(0) { $0 + head($1) }
        return total
    }
}

extension Value {
    /// About how many bytes the value takes as JSON.
    var sizeEstimate: Int {
        switch self {
        case .null: 4
        case .text(let text): text.utf8.count + 2
        case .integer: 20
        case .money(let money): 32 + money.currency.utf8.count
        }
    }
}
