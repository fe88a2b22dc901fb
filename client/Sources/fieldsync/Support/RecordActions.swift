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
        let changes = try options.changes(of: entity, store: store)
        var created: RecordID?
        try store.edit(summary: summary) { builder in
            let id = try builder.create(entity)
            created = id
            for (name, value) in fields where value != .null { try builder.set(id, name, value) }
            try changes.apply(to: id, &builder)
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

    /// Changes a record through `build`, then `fields`; `summary` describes the change from the record's name (for
    /// the dry run, `pending` and the rejected list). `build` runs inside the edit's transaction: it reads records
    /// through the builder, never the store.
    static func edit(
        _ reference: String, _ entity: EntityKind, global: GlobalOptions, fields: FieldOptions? = nil,
        summary: (String) -> String, _ build: (RecordID, inout MutationBuilder) throws -> Void = { _, _ in }
    ) throws {
        let store = try global.store()
        let id = try global.resolve(reference, entity, in: store)
        let name = global.display(store).name(id)
        let changes = try fields?.changes(of: entity, store: store)
        let mutation = try store.edit(summary: summary(name)) { builder in
            try build(id, &builder)
            try changes?.apply(to: id, &builder)
        }
        guard !mutation.writes.isEmpty else { return }
        if global.json {
            try global.printJSON(SavedJSON(id: id.rawValue, seq: mutation.seq, changes: mutation.writes.count))
        } else {
            print("\(name): saved (\(counted(mutation.writes.count, "change")), not yet synced)")
        }
    }

    /// Shows one record with every field; references by name, times in the laptop's zone.
    static func show(_ reference: String, _ entity: EntityKind?, global: GlobalOptions) throws {
        let store = try global.store()
        guard let record = try store.record(global.resolve(reference, entity, in: store)) else {
            throw ClientError.noSuchRecord(reference)
        }
        if global.json {
            try global.printJSON(RecordJSON(record, schema: store.schema))
        } else {
            RecordOutput.show(record, schema: store.schema, display: global.display(store))
        }
    }

    /// Lists records of `entity` passing `options` and `filter`, ordered by `order` (by name when nil), with
    /// `columns` fields: references by name, date-times in the laptop's time zone.
    static func list(
        _ entity: EntityKind, columns: [String], global: GlobalOptions, options: ListOptions? = nil,
        order: String? = nil,
        filter: (LocalRecord) -> Bool = { _ in true }
    ) throws {
        let store = try global.store()
        do { _ = try store.schema.require(entity) } catch { throw ClientError(error) }
        var records = try store.records(entity).filter {
            filter($0) && options?.passes($0, schema: store.schema) != false
        }
        if let order {
            // Records without a value sort last; the stored order breaks ties.
            records = records.enumerated().sorted { lhs, rhs in
                let (left, right) = (lhs.element.state.value(order).text, rhs.element.state.value(order).text)
                if left != right { return right == nil || (left != nil && left! < right!) }
                return lhs.offset < rhs.offset
            }.map(\.element)
        }
        let total = records.count
        if let limit = options?.limit { records = Array(records.prefix(limit)) }
        if global.json { return try global.printJSON(records.map { RecordJSON($0, schema: store.schema) }) }
        let display = global.display(store)
        let specs = columns.map { store.schema[entity][$0] }
        printTable(
            ["ID"] + columns.map { $0.uppercased() },
            records.map { record in
                [record.id.rawValue + (record.pending ? "*" : "")]
                    + zip(columns, specs).map { display.text(record.state.value($0), field: $1) }
            })
        guard outputIsTerminal else { return }
        if total > records.count { print("(\(records.count) of \(total); --limit shows more)") }
        if records.contains(where: \.pending) { print("* edits not yet synced") }
        if specs.contains(where: { $0?.type == .dateTime }) { print("(times in \(global.time.label()))") }
    }

    /// Deletes a record after asking on a terminal (`yes` skips the question).
    static func delete(_ reference: String, _ entity: EntityKind, global: GlobalOptions, yes: Bool) throws {
        let store = try global.store()
        let id = try global.resolve(reference, entity, in: store)
        let name = global.display(store).name(id)
        try Confirmation.ask("Delete \(entity.rawValue) \(name)\(name == id.rawValue ? "" : " (\(id))")?", yes: yes)
        try edit(id.rawValue, entity, global: global, summary: { "delete \(entity.rawValue) \($0)" }) { id, builder in
            try builder.delete(id)
        }
    }
}
