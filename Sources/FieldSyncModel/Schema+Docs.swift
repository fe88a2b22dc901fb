extension WinnerRule {
    /// How the rule reads in docs: `latest timestamp`, or the ranking, e.g. `planned < cancelled = missed < completed`.
    public var summary: String {
        switch self {
        case .latest:
            return "latest timestamp"
        case .ranked(let ranks):
            let groups = Dictionary(grouping: ranks.keys, by: { ranks[$0]! }).sorted { $0.key < $1.key }
            return groups.map { $0.value.sorted().joined(separator: " = ") }.joined(separator: " < ")
                + ", then latest timestamp"
        }
    }
}

extension Schema {
    /// The schema as Markdown: one table per entity with every field's type, limits, merge rule and meaning.
    ///
    /// protocol/SCHEMA.md is this text (a test keeps them equal); `fieldsync fields --markdown` prints it.
    public func markdown() -> String {
        var text =
            "# FieldSync schema\n\nGenerated from `Schema.fieldSync` (`fieldsync fields --markdown`); do not edit by hand.\n"
        text += "Every record also has an append-only notes log (the `note` write).\n"
        text += "This is schema version \(version); the column *since* names the version that introduced each field.\n"
        for entity in entities {
            let since = since(entity.kind)
            text += "\n## \(entity.kind.rawValue)\n\n\(entity.help)\(since > 1 ? " (Since version \(since).)" : "")\n\n"
            text += "| field | type | required | conflict winner | since | meaning |\n|---|---|---|---|---|---|\n"
            for field in entity.fields {
                let required = field.required ? "yes" : ""
                let winner = field.type.isSet ? "add-wins per tag" : field.rule.summary
                let added = addedValues(entity.kind, field: field.name).map { "`\($0.value)` since \($0.version)" }
                text +=
                    "| `\(field.name)` | \(field.type.summary)\(added.isEmpty ? "" : " (\(added.joined(separator: ", ")))")"
                    + " | \(required) | \(winner) | \(self.since(entity.kind, field: field.name)) | \(field.help)"
                    + "\(field.managed ? " (managers only after creation)" : "")"
                    + "\(field.format.map { " (must be \($0.example))" } ?? "")"
                    + "\(field.forwardOnly ? " (moves only forward; managers and admins may move it back)" : "") |\n"
            }
        }
        text += "\n## Versions\n\nA laptop on an older release speaks an older version; the server serves each (see"
        text += " PROTOCOL.md, \"Versions\").\n\n| version | what it brought | changes |\n|---|---|---|\n"
        for version in versions {
            let changes = version.changes.map(\.summary).joined(separator: "; ")
            text += "| \(version.number) | \(version.summary) | \(changes.isEmpty ? "—" : changes) |\n"
        }
        text +=
            "\n## CSV headers\n\n`fieldsync import` reads a column by its field's name or by one of these headers (ignoring"
        text += " case and spaces); `--map 列名=field` names any other.\n\n| entity | field | headers |\n|---|---|---|\n"
        for entity in entities {
            let byField = Dictionary(grouping: Self.importHeaders[entity.kind] ?? [:], by: \.value)
            for field in entity.fields {
                guard let headers = byField[field.name]?.map(\.key).sorted() else { continue }
                text += "| \(entity.kind.rawValue) | `\(field.name)` | \(headers.joined(separator: ", ")) |\n"
            }
        }
        text += "\n## Opportunity stage probabilities\n\n| stage | probability |\n|---|---|\n"
        for stage in OpportunityStage.all { text += "| \(stage.name) | \(stage.probability)% |\n" }
        return text
    }
}
