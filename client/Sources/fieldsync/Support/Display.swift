import FieldSyncClient
import FieldSyncModel
import Foundation

/// How the CLI shows records and values: a reference by the record's name (`name (id)` with `--ids`), a date-time in
/// the laptop's zone, money grouped with its currency.
struct Display {
    let names: RecordNames
    let ids: Bool

    /// The zone times are shown in.
    var time: LocalTime { names.time }

    /// Record `id` by its name, or its id when this laptop does not hold it.
    func name(_ id: RecordID) -> String {
        guard let name = names.name(of: id), name != id.rawValue else { return id.rawValue }
        return ids ? "\(name) (\(id))" : name
    }

    /// `record` by its name.
    func name(_ record: LocalRecord) -> String {
        let name = names.name(of: record)
        return ids && name != record.id.rawValue ? "\(name) (\(record.id))" : name
    }

    /// The record a reference value (a record id) names, by name; other text as it is.
    func name(_ reference: Value) -> String {
        guard let text = reference.text else { return "" }
        return (try? RecordID(text)).map(name) ?? text
    }

    /// A value of `field` as shown: a reference by name, anything else as `RecordOutput.text(_:time:)` spells it.
    func text(_ value: Value, field: FieldSpec?) -> String {
        if case .reference = field?.type, let text = value.text, let id = try? RecordID(text) { return name(id) }
        return RecordOutput.text(value, time: time)
    }
}
