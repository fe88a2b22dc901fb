import FieldSyncModel
import Foundation
import GRDB

/// How a rep knows a record: a customer or contact by name, a deal by its title, a line item by its product, a visit
/// by its time and customer, a complaint by its category and customer. Lists, history, conflicts and summaries show
/// these instead of ids. Names are looked up once per record.
public final class RecordNames {
    let store: LocalStore
    /// The zone times in names are shown in.
    public let time: LocalTime
    private var cache: [RecordID: String?] = [:]

    /// Names records of `store`, with times in `time`'s zone.
    public init(store: LocalStore, time: LocalTime) {
        self.store = store
        self.time = time
    }

    /// The name of record `id`, or `nil` when this laptop does not hold it.
    public func name(of id: RecordID) -> String? {
        if let known = cache[id] { return known }
        let found = (try? store.record(id)).flatMap { $0 }.map(name(of:))
        cache[id] = found
        return found
    }

    /// The name of `record` (its id when it has nothing to be named by).
    public func name(of record: LocalRecord) -> String {
        let state = record.state
        let customer = state.value("customer").text.flatMap { try? RecordID($0) }.flatMap(name(of:))
        var name: String?
        switch record.entity {
        case .visit:
            name = [state.value("plannedAt").text.map(time.text(utc:)), customer].compactMap { $0 }
                .joined(separator: " ")
        case .complaint:
            name = [state.value("category").text.map { "\($0) complaint" }, customer].compactMap { $0 }
                .joined(separator: ", ")
        case .lineItem: name = state.value("product").text
        default: name = LocalStore.label(of: state)
        }
        let named = name.flatMap { $0.isEmpty ? nil : $0 } ?? record.id.rawValue
        cache[record.id] = named
        return named
    }
}
