import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// What an import does with a CSV file, worked out before anything is written: the columns as fields, each line as
/// a record to create, a record to update (its `id` column names one here), a duplicate left out, or a failure.
struct ImportPlan {
    /// One line's outcome.
    enum Line {
        /// A new record with these values (defaults included).
        case create(line: Int, values: [(String, Value)], tags: [String])
        /// An existing record and the values that differ from what it holds.
        case update(line: Int, id: RecordID, values: [(String, Value)], tags: [String])
        /// An existing record the line does not change.
        case unchanged(line: Int)
        /// A line that names a record already here (or an earlier line): not created.
        case duplicate(line: Int, message: String)
        /// A line that cannot be imported, and why.
        case failed(line: Int, message: String)
    }

    let entity: EntityKind
    let store: LocalStore
    /// Each column's field name, `id` for the id column, `nil` for a skipped one.
    let columns: [String?]
    /// Values a new record gets when its line has none: territory, owner, rep, status, stage, step.
    let defaults: [String: Value]
    /// The currency of amounts written without one.
    let currency: String

    /// Reads the header of `rows` as fields of `entity`: field names, earlier names, the schema's import headers, or
    /// `maps` (`列名=field`, `列名=-` to skip); unknown headers fail the import with what to do.
    init(
        entity: EntityKind, header: [String], maps: [String], store: LocalStore, defaults: [String: Value],
        currency: String
    ) throws {
        var mapped: [String: String] = [:]
        for map in maps {
            let parts = map.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("--map takes 列名=field or 列名=- (to skip the column); got '\(map.prefix(60))'.")
            }
            mapped[parts[0].lowercased()] = parts[1]
        }
        let schema = store.schema
        var unknown: [String] = []
        columns = try header.map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces)
            if let target = mapped[name.lowercased()] {
                if target == "-" { return nil }
                guard let field = schema.field(forHeader: target, of: entity) else {
                    throw ClientError(
                        .badFile,
                        "--map \(name)=\(target): \(entity.rawValue) has no field '\(target)'; see fieldsync fields \(entity.rawValue)."
                    )
                }
                return field.name
            }
            if name.lowercased() == "id" { return "id" }
            if let field = schema.field(forHeader: name, of: entity) { return field.name }
            unknown.append(name)
            return nil
        }
        guard unknown.isEmpty else {
            throw ClientError(
                .badFile,
                "Unknown column\(unknown.count == 1 ? "" : "s") \(unknown.map { "'\($0)'" }.joined(separator: ", ")):"
                    + " map each to a field (--map '\(unknown[0])=field') or skip it (--map '\(unknown[0])=-');"
                    + " the fields of \(entity.rawValue): \(schema[entity].fields.map(\.name).joined(separator: ", "))."
            )
        }
        let fields = Set(columns.compactMap { $0 })
        let missing = schema[entity].requiredFields.map(\.name).filter { !fields.contains($0) && defaults[$0] == nil }
        guard missing.isEmpty || fields.contains("id") else {
            throw ClientError(
                .badFile,
                "The file has no column for \(missing.joined(separator: ", ")), which a new \(entity.rawValue) needs"
                    + (missing == ["territory"] ? ": add one, or give --territory." : "."))
        }
        self.entity = entity
        self.store = store
        self.defaults = defaults
        self.currency = currency
    }

    /// The outcome of every line of `rows` (without the header), numbered from 2. With `checkDuplicates`, a line that
    /// names a record already here (customers by name and phone, contacts by customer and name, deals by customer
    /// and title, visits by customer and time) or an earlier line is a duplicate.
    func lines(_ rows: [[String]], checkDuplicates: Bool) throws -> [Line] {
        var parser = CellParser(store: store, entity: entity, currency: currency)
        let existing = try store.records(entity)
        let byID = Dictionary(existing.map { ($0.id, $0) }) { first, _ in first }
        var seen = Dictionary(existing.map { (identity(of: $0.state), $0.id) }) { first, _ in first }
        seen[""] = nil
        var lines: [Line] = []
        for (offset, row) in rows.enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = offset + 2
            do {
                guard row.count == columns.count else {
                    throw ClientError(.badFile, "has \(row.count) cells, the header has \(columns.count)")
                }
                var values: [(String, Value)] = []
                var tags: [String] = []
                var id: RecordID?
                for (column, cell) in zip(columns, row) {
                    let cell = Self.trimmed(cell)
                    guard let column, !cell.isEmpty else { continue }
                    if column == "id" {
                        id = try? RecordID(cell)
                        guard let id, byID[id] != nil else {
                            throw ClientError(
                                .notFound,
                                "no \(entity.rawValue) \(cell.prefix(40)) on this laptop: sync first, or empty the id"
                                    + " cell to add it as new")
                        }
                        continue
                    }
                    if store.schema[entity][column]?.type.isSet == true {
                        tags += cell.split(separator: ";").map { Self.trimmed(String($0)) }
                    } else {
                        values.append((column, try parser.value(cell, for: column)))
                    }
                }
                if let id, let record = byID[id] {
                    let changed = values.filter { record.state.value($0.0) != $0.1 }
                    let added = tags.filter { !record.state.elements("tags").contains($0) }
                    lines.append(
                        changed.isEmpty && added.isEmpty
                            ? .unchanged(line: line) : .update(line: line, id: id, values: changed, tags: added))
                    continue
                }
                for (field, value) in defaults where !values.contains(where: { $0.0 == field }) {
                    values.append((field, value))
                }
                let key = identity(values)
                if checkDuplicates, !key.isEmpty, let twin = seen[key] {
                    let name = byID[twin].map { RecordNames(store: store, time: .utc).name(of: $0) }
                    lines.append(
                        .duplicate(
                            line: line,
                            message:
                                "line \(line) is already here as \(name.map { "\($0) (\(twin))" } ?? "an earlier line")"
                        ))
                    continue
                }
                if !key.isEmpty { seen[key] = RecordID(trusted: "line-\(line)") }
                lines.append(.create(line: line, values: values, tags: tags))
            } catch let error as ClientError {
                lines.append(.failed(line: line, message: "line \(line): \(error.message)"))
            }
        }
        return lines
    }

    /// What makes two records of the entity one: for a customer its name and phone digits, for the others their
    /// customer (or deal) with their name, title, product or time; empty when a line has none of it.
    private func identity(_ values: [(String, Value)]) -> String {
        let fields = Dictionary(values.map { ($0.0, $0.1.text ?? "") }) { first, _ in first }
        switch entity {
        case .customer:
            let name = Self.same(fields["name"] ?? "")
            return name.isEmpty ? "" : name + "|" + (fields["phone"] ?? "").filter(\.isNumber)
        case .contact: return join(fields["customer"], fields["name"].map(Self.same))
        case .opportunity: return join(fields["customer"], fields["title"].map(Self.same))
        case .visit: return join(fields["customer"], fields["plannedAt"])
        case .complaint: return join(fields["customer"], fields["category"], fields["description"].map(Self.same))
        case .lineItem: return join(fields["opportunity"], fields["product"].map(Self.same))
        }
    }

    /// A cell without the spaces around it (`CharacterSet.whitespaces`); most have none and are kept as they are,
    /// without Foundation's trimming.
    static func trimmed(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, let last = cell.unicodeScalars.last,
            spaces.contains(first) || spaces.contains(last)
        else { return cell }
        return cell.trimmingCharacters(in: spaces)
    }

    private static let spaces = CharacterSet.whitespaces

    /// A name as lines are compared by: case, width and spaces set aside (a card that only looks alike is
    /// `DuplicateRule`'s to report).
    private static func same(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .widthInsensitive], locale: nil).filter { !$0.isWhitespace }
    }

    private func identity(of state: RecordState) -> String {
        identity(store.schema[entity].fields.map { ($0.name, state.value($0.name)) })
    }

    private func join(_ parts: String?...) -> String {
        parts.contains { $0 == nil || $0!.isEmpty } ? "" : parts.map { $0! }.joined(separator: "|")
    }
}

/// Reads cells as values, resolving each distinct reference once (a contact list names few customers many times).
struct CellParser {
    let store: LocalStore
    let entity: EntityKind
    let currency: String
    private var references: [String: Value] = [:]

    init(store: LocalStore, entity: EntityKind, currency: String) {
        self.store = store
        self.entity = entity
        self.currency = currency
    }

    /// The value of `field` a cell spells; an amount without a currency is in `currency`.
    mutating func value(_ cell: String, for field: String) throws -> Value {
        let spec = try store.schema.field(field, of: entity)
        switch spec.type {
        case .reference:
            if let known = references[cell] { return known }
            let value = try ValueParser(store: store).parse(cell, for: spec, of: entity)
            references[cell] = value
            return value
        case .money where Double(cell.replacingOccurrences(of: ",", with: "")) != nil:
            return try ValueParser(store: store).parse(
                cell.replacingOccurrences(of: ",", with: "") + " " + currency, for: spec, of: entity)
        default:
            return try ValueParser(store: store).parse(cell, for: spec, of: entity)
        }
    }
}
