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
        for entity in entities {
            text += "\n## \(entity.kind.rawValue)\n\n\(entity.help)\n\n"
            text += "| field | type | required | conflict winner | meaning |\n|---|---|---|---|---|\n"
            for field in entity.fields {
                let required = field.required ? "yes" : ""
                let winner = field.type.isSet ? "add-wins per tag" : field.rule.summary
                text +=
                    "| `\(field.name)` | \(field.type.summary) | \(required) | \(winner) | \(field.help)"
                    + "\(field.managed ? " (managers only after creation)" : "") |\n"
            }
        }
        text += "\n## Opportunity stage probabilities\n\n| stage | probability |\n|---|---|\n"
        for stage in OpportunityStage.all { text += "| \(stage.name) | \(stage.probability)% |\n" }
        return text
    }
}
