extension Schema {
    /// Checks a whole mutation before it is applied: identifiers, entities, fields, types, limits, references and
    /// required fields. Throws the first problem found; nothing is applied by validation.
    ///
    /// - Parameter entityOf: the entity of an existing record the caller may see, or `nil` (unknown or not visible:
    ///   both answer "unknown record", so validation leaks nothing).
    public func validate(_ mutation: Mutation, entityOf: (RecordID) -> EntityKind?) throws(ModelError) {
        guard mutation.seq > 0 else { throw ModelError(.invalidMutation, "Mutation seq must start at 1.") }
        guard mutation.hlc.replica == mutation.replica else {
            throw ModelError(
                .invalidMutation,
                "Mutation \(mutation.key) is stamped by replica '\(mutation.hlc.replica)': a replica stamps its own.")
        }
        guard !mutation.writes.isEmpty else {
            throw ModelError(.invalidMutation, "Mutation \(mutation.key) has no writes.")
        }
        guard mutation.writes.count <= maxWritesPerMutation else {
            throw ModelError(
                .tooManyWrites,
                "Mutation \(mutation.key) has \(mutation.writes.count) writes; at most \(maxWritesPerMutation) are"
                    + " allowed: split it.")
        }
        var created: [RecordID: EntityKind] = [:]
        var setInMutation: [RecordID: Set<String>] = [:]
        func entity(_ record: RecordID) -> EntityKind? { created[record] ?? entityOf(record) }

        for write in mutation.writes {
            guard write.bases.count <= maxBasesPerWrite else {
                throw ModelError(
                    .invalidMutation,
                    "A write names \(write.bases.count) bases; at most \(maxBasesPerWrite) are allowed.")
            }
            if case .create(let record, let kind) = write {
                guard has(kind) else { throw unknownEntity(kind) }
                guard entity(record) == nil else {
                    throw ModelError(.recordExists, "Record \(record) already exists: edit it instead of creating it.")
                }
                created[record] = kind
                continue
            }
            guard let kind = entity(write.record) else {
                throw ModelError(
                    .unknownRecord,
                    "Record \(write.record) does not exist or is not visible to you: sync and check the id.")
            }
            switch write {
            case .set(let record, let name, let value, _):
                let field = try self.field(name, of: kind)
                guard !field.type.isSet else {
                    throw ModelError(.wrongType, "\(kind.rawValue).\(name) is a set of tags: use add and remove.")
                }
                if value == .null {
                    guard !field.required else {
                        throw ModelError(
                            .missingRequired, "\(kind.rawValue).\(name) is required and cannot be cleared.")
                    }
                } else {
                    try validate(value, for: field, of: kind, entity: entity)
                }
                setInMutation[record, default: []].insert(field.name)
            case .add(_, let name, let element), .remove(_, let name, let element, _):
                let field = try self.field(name, of: kind)
                guard case .tags(_, let maxLength) = field.type else {
                    throw ModelError(.wrongType, "\(kind.rawValue).\(name) is not a set of tags: use set.")
                }
                try Self.checkText(element, maxLength: maxLength, label: "A tag of \(kind.rawValue).\(name)")
                guard !element.isEmpty else {
                    throw ModelError(.invalidText, "A tag of \(kind.rawValue).\(name) cannot be empty.")
                }
            case .note(_, let text):
                try Self.checkText(text, maxLength: maxNoteLength, label: "A note")
                guard !text.isEmpty else { throw ModelError(.invalidText, "A note cannot be empty.") }
            case .merge(let record, let into):
                // A merge of a record into itself (after following earlier merges) is already done: the server
                // acknowledges it and changes nothing.
                guard let target = entity(into) else {
                    throw ModelError(
                        .unknownRecord, "Record \(into) does not exist or is not visible to you: sync and check the id."
                    )
                }
                guard kind == .customer, target == .customer else {
                    throw ModelError(
                        .wrongType,
                        "Only customers are merged: \(record) is a \(kind.rawValue) and \(into) a \(target.rawValue).")
                }
                guard created[record] == nil, created[into] == nil else {
                    throw ModelError(
                        .invalidMutation, "A merge folds one existing customer into another, not one created with it.")
                }
            case .create, .delete, .restore:
                break
            }
        }
        for (record, kind) in created.sorted(by: { $0.key < $1.key }) {
            let missing = self[kind].requiredFields.map(\.name).filter {
                !(setInMutation[record]?.contains($0) ?? false)
            }
            guard missing.isEmpty else {
                throw ModelError(
                    .missingRequired,
                    "A new \(kind.rawValue) needs \(missing.joined(separator: ", ")): set \(missing.count == 1 ? "it" : "them") when creating \(record)."
                )
            }
        }
    }

    /// Checks a record's state after a mutation's writes against the per-record bounds: notes and stored size.
    public func checkBounds(of state: RecordState, record: RecordID) throws(ModelError) {
        guard state.notes.count <= maxNotesPerRecord else {
            throw ModelError(
                .recordTooLarge,
                "Record \(record) already has \(maxNotesPerRecord) notes, the most one record keeps: put the note on"
                    + " a visit or complaint of it instead.")
        }
        let size = state.storedSizeEstimate
        guard size <= maxRecordBytes else {
            throw ModelError(
                .recordTooLarge,
                "This change would make record \(record) \(size / 1024) KiB, over the \(maxRecordBytes / 1024) KiB a"
                    + " record may hold: shorten the text, or resolve its open conflicts first.")
        }
    }

    /// Checks one non-null value against a field's type and limits.
    ///
    /// - Parameter entity: the entity of a referenced record, or `nil` when it does not exist or is not visible.
    public func validate(
        _ value: Value, for field: FieldSpec, of kind: EntityKind, entity: (RecordID) -> EntityKind?
    ) throws(ModelError) {
        let label = "\(kind.rawValue).\(field.name)"
        func wrongType() -> ModelError {
            ModelError(.wrongType, "\(label) takes \(field.type.summary); got \(value.kindName).")
        }
        switch field.type {
        case .text(let maxLength):
            guard case .text(let text) = value else { throw wrongType() }
            try Self.checkText(text, maxLength: maxLength, label: label)
            if field.required && text.allSatisfy(\.isWhitespace) {
                throw ModelError(.missingRequired, "\(label) is required and cannot be blank.")
            }
            if let format = field.format, !format.accepts(text) {
                throw ModelError(.invalidText, "\(label) takes \(format.example); got '\(text.prefix(60))'.")
            }
        case .integer(let min, let max):
            guard case .integer(let number) = value else { throw wrongType() }
            guard number >= min, number <= max else {
                throw ModelError(.invalidNumber, "\(label) must be between \(min) and \(max); got \(number).")
            }
        case .money:
            guard case .money(let money) = value else { throw wrongType() }
            guard money.minor >= 0, money.minor <= Money.maxMinor else {
                throw ModelError(
                    .invalidMoney, "\(label) must be 0…\(Money.maxMinor) minor units (cents); got \(money.minor).")
            }
            guard money.currency.utf8.count == 3, money.currency.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                throw ModelError(
                    .invalidMoney,
                    "\(label) needs a three-letter upper-case currency code such as CNY or EUR; got '\(money.currency.prefix(20))'."
                )
            }
        case .date:
            guard case .text(let text) = value else { throw wrongType() }
            guard CalendarText.isDate(text) else {
                throw ModelError(.invalidDate, "\(label) must be a date YYYY-MM-DD; got '\(text.prefix(40))'.")
            }
        case .dateTime:
            guard case .text(let text) = value else { throw wrongType() }
            guard CalendarText.isDateTime(text) else {
                throw ModelError(
                    .invalidDate, "\(label) must be a UTC date-time YYYY-MM-DDTHH:MM:SSZ; got '\(text.prefix(40))'.")
            }
        case .choice(let allowed):
            guard case .text(let text) = value else { throw wrongType() }
            guard allowed.contains(text) else {
                throw ModelError(
                    .valueNotAllowed,
                    "\(label) cannot be '\(text.prefix(40))': use one of \(allowed.joined(separator: ", ")).")
            }
        case .reference(let target):
            guard case .text(let text) = value, let id = try? RecordID(text) else { throw wrongType() }
            guard entity(id) == target else {
                throw ModelError(
                    .missingReference,
                    "\(label) refers to \(target.rawValue) \(id), which does not exist or is not visible to you.")
            }
        case .tags:
            throw ModelError(.wrongType, "\(label) is a set of tags: use add and remove.")
        }
    }

    /// Checks text for length (in Unicode scalars) and forbidden characters (NUL, the C0 control characters other
    /// than tab, newline and carriage return, DEL and the C1 control characters U+0080–U+009F).
    static func checkText(_ text: String, maxLength: Int, label: String) throws(ModelError) {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            let v = scalar.value
            if (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || (0x7F...0x9F).contains(v) {
                throw ModelError(
                    .invalidText,
                    "\(label) contains a control character (U+\(String(v, radix: 16, uppercase: true))): remove it.")
            }
        }
        guard count <= maxLength else {
            throw ModelError(.textTooLong, "\(label) is \(count) characters long; at most \(maxLength) are allowed.")
        }
    }
}

extension Value {
    /// The kind of value, for messages: "null", "text", "a whole number", "money".
    public var kindName: String {
        switch self {
        case .null: "null"
        case .text: "text"
        case .integer: "a whole number"
        case .money: "money"
        }
    }
}

extension Schema {
    /// Checks the workflow fields a mutation sets (`FieldSpec.forwardOnly`: a visit's status, a complaint's step)
    /// against the values stored before it: a move back is refused unless `mayReopen` (managers and admins). The
    /// server checks against its stored records, the laptop against what it shows, with the same words.
    ///
    /// - Parameter stored: the state of an existing record before the mutation, or `nil` (a new one).
    public func checkWorkflow(
        _ mutation: Mutation, stored: (RecordID) -> RecordState?, mayReopen: Bool
    ) throws(ModelError) {
        guard !mayReopen else { return }
        for case .set(let record, let name, let value, _) in mutation.writes where workflowFields.contains(name) {
            guard let state = stored(record), let kind = state.entity, let field = self[kind][name],
                field.forwardOnly
            else { continue }
            let current = state.value(field.name, schema: self)
            guard !field.movesForward(from: current, to: value) else { continue }
            throw ModelError(
                .valueNotAllowed,
                "\(kind.rawValue).\(field.name) is \(current.text ?? "set") and moves only forward; '\(value.text ?? "")'"
                    + " would move it back: a manager or admin reopens it.")
        }
    }
}
