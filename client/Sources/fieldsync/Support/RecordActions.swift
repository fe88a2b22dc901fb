import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// The record commands shared by every entity.
enum RecordActions {
    /// Creates a record with `fields` (already parsed) plus options, prints its id and returns it.
    @discardableResult
    static func add(
        _ entity: EntityKind, _ fields: [(String, Value)], options: FieldOptions, global: GlobalOptions, summary: String
    ) throws -> RecordID {
        let store = try global.store()
        var created: RecordID?
        try store.edit(summary: summary) { builder in
            let id = try builder.create(entity)
            created = id
            for (name, value) in fields where value != .null { try builder.set(id, name, value) }
            try options.apply(to: id, of: entity, store: store, &builder)
        }
        if global.json { try global.printJSON(["id": created!.rawValue]) } else { print(created!.rawValue) }
        return created!
    }

    /// Tells the user on standard error when customer `id` looks like a card already in their view
    /// (`DuplicateRule`), and how to merge the two.
    static func warnOfDuplicates(of id: RecordID, in store: LocalStore) throws {
        guard let card = try store.record(id) else { return }
        let others = try store.records(.customer).filter { $0.id != id }.map { ($0.id, $0.state) }
        for match in DuplicateRule.matches(of: card.state, among: others).prefix(3) {
            let name = others.first { $0.0 == match.id }?.1.value("name").text ?? ""
            FileHandle.standardError.write(
                Data(
                    ("Note: \(id) looks like \(name) (\(match.id)): \(match.reasons.map(\.text).joined(separator: ", "))."
                        + " If it is one customer, a manager merges them: fieldsync customer merge \(match.id) \(id)\n")
                        .utf8))
        }
    }

    /// Changes a record through `build`.
    static func edit(
        _ reference: String, _ entity: EntityKind, global: GlobalOptions, summary: (RecordID) -> String,
        _ build: (RecordID, LocalStore, inout MutationBuilder) throws -> Void
    ) throws {
        let store = try global.store()
        let id = try global.resolve(reference, entity, in: store)
        let mutation = try store.edit(summary: summary(id)) { builder in try build(id, store, &builder) }
        guard !mutation.writes.isEmpty else { return }
        if global.json {
            try global.printJSON(SavedJSON(id: id.rawValue, seq: mutation.seq, changes: mutation.writes.count))
        } else {
            print(
                "\(id): saved (\(counted(mutation.writes.count, "change")), not yet synced)"
            )
        }
    }

    static func show(_ reference: String, _ entity: EntityKind?, global: GlobalOptions) throws {
        let store = try global.store()
        guard let record = try store.record(global.resolve(reference, entity, in: store)) else {
            throw ClientError.noSuchRecord(reference)
        }
        if global.json {
            try global.printJSON(RecordJSON(record, schema: store.schema))
        } else {
            RecordOutput.show(record, schema: store.schema, time: global.time)
        }
    }

    /// Lists records of `entity` passing `filter`, ordered by `order` (stored order when nil), with `columns` fields;
    /// date-times in the laptop's time zone.
    static func list(
        _ entity: EntityKind, columns: [String], global: GlobalOptions, order: String? = nil,
        filter: (LocalRecord) -> Bool = { _ in true }
    ) throws {
        let store = try global.store()
        do { _ = try store.schema.require(entity) } catch { throw ClientError(error) }
        var records = try store.records(entity).filter(filter)
        if let order {
            // Records without a value sort last; the stored order breaks ties.
            records = records.enumerated().sorted { lhs, rhs in
                let (left, right) = (lhs.element.state.value(order).text, rhs.element.state.value(order).text)
                if left != right { return right == nil || (left != nil && left! < right!) }
                return lhs.offset < rhs.offset
            }.map(\.element)
        }
        if global.json { return try global.printJSON(records.map { RecordJSON($0, schema: store.schema) }) }
        printTable(
            ["ID"] + columns.map { $0.uppercased() },
            records.map { record in
                [record.id.rawValue + (record.pending ? "*" : "")]
                    + columns.map { RecordOutput.text(record.state.value($0), time: global.time) }
            })
        if outputIsTerminal && records.contains(where: \.pending) { print("* edits not yet synced") }
        if outputIsTerminal && columns.contains(where: { store.schema[entity][$0]?.type == .dateTime }) {
            print("(times in \(global.time.label()))")
        }
    }

    static func delete(_ reference: String, _ entity: EntityKind, global: GlobalOptions) throws {
        try edit(reference, entity, global: global, summary: { "delete \(entity.rawValue) \($0)" }) { id, _, builder in
            try builder.delete(id)
        }
    }
}
