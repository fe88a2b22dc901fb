import FieldSyncClient
import FieldSyncModel
import Foundation

/// The stable JSON shape of a record (`--json` on show, list and export; protocol/cli/record.json).
struct RecordJSON: Encodable {
    struct NoteJSON: Encodable {
        let author: String
        let atMs: Int64
        let text: String
    }
    /// A field's value: a value, or a set field's elements as an array.
    enum FieldJSON: Encodable {
        case value(Value)
        case elements([String])

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .value(let value): try value.encode(to: encoder)
            case .elements(let elements): try elements.encode(to: encoder)
            }
        }
    }
    let id: String
    let entity: String
    let fields: [String: FieldJSON]
    let notes: [NoteJSON]
    let conflicts: [String]
    let pending: Bool

    init(_ record: LocalRecord, schema: Schema = .fieldSync) {
        id = record.id.rawValue
        entity = record.entity.rawValue
        var fields: [String: FieldJSON] = [:]
        for spec in schema[record.entity].fields {
            if spec.type.isSet {
                let elements = record.state.elements(spec.name)
                if !elements.isEmpty { fields[spec.name] = .elements(elements) }
            } else if record.state.field(spec.name) != nil {
                fields[spec.name] = .value(record.state.value(spec.name, schema: schema))
            }
        }
        self.fields = fields
        notes = record.state.notes.map { NoteJSON(author: $0.author, atMs: $0.hlc.wallMs, text: $0.text) }
        conflicts = record.state.conflicts(of: record.id, schema: schema).map { $0.field ?? "delete" }
        pending = record.pending
    }
}

/// What an edit saved (`--json` on set and the other edit commands; protocol/cli/saved.json).
struct SavedJSON: Encodable {
    let id: String
    let seq: UInt64
    let changes: Int

    init(id: String, seq: UInt64, changes: Int) {
        self.id = id
        self.seq = seq
        self.changes = changes
    }

    /// What `mutation` saved, named by the record it wrote first.
    init(_ mutation: Mutation) {
        self.init(id: mutation.records.first?.rawValue ?? "", seq: mutation.seq, changes: mutation.writes.count)
    }
}

/// Human output of records.
enum RecordOutput {
    /// Text for a value in a table: money as `12,999.50 CNY`, nothing as empty.
    static func text(_ value: Value) -> String {
        switch value {
        case .null: ""
        case .money(let money):
            "\(grouped(money.minor / 100)).\(String(format: "%02d", money.minor % 100)) \(money.currency)"
        default: value.description
        }
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ number: Int64) -> String {
        let digits = Array(String(number))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    /// Prints one record with every field, tags, notes and conflicts; references by name, times in the laptop's
    /// zone, which is named.
    static func show(_ record: LocalRecord, schema: Schema = .fieldSync, display: Display) {
        let time = display.time
        let name = display.names.name(of: record)
        print(
            "\(record.entity.rawValue) \(name == record.id.rawValue ? "" : "\(name)  ")\(record.id)"
                + (record.pending ? "  (edits not yet synced)" : ""))
        let conflicts = record.state.conflicts(of: record.id, schema: schema)
        var showsTime = false
        for spec in schema[record.entity].fields {
            let value =
                spec.type.isSet
                ? record.state.elements(spec.name).joined(separator: ", ")
                : display.text(record.state.value(spec.name), field: spec)
            showsTime = showsTime || (spec.type == .dateTime && !value.isEmpty)
            guard !value.isEmpty else { continue }
            let flag = conflicts.contains { $0.field == spec.name } ? "   ⚠ conflict: see `fieldsync conflicts`" : ""
            print("  \(spec.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(value)\(flag)")
        }
        if conflicts.contains(where: { $0.kind == .delete }) {
            print("  ⚠ deleted elsewhere, kept because of edits the deleter had not seen: see `fieldsync conflicts`")
        }
        if !record.state.notes.isEmpty {
            print("  notes:")
            for note in record.state.notes {
                print("    \(time.text(ms: note.hlc.wallMs)) \(note.author): \(note.text)")
            }
        }
        if showsTime || !record.state.notes.isEmpty { print("  (times in \(time.label()))") }
    }

    /// A value as shown: a stored UTC date-time in `time`'s zone, anything else as `text(_:)` spells it.
    static func text(_ value: Value, time: LocalTime) -> String {
        guard let stored = value.text, CalendarText.isDateTime(stored) else { return text(value) }
        return time.text(utc: stored)
    }
}
