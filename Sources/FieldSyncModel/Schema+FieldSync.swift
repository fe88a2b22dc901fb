extension Schema {
    /// FieldSync's schema, newest version: customer cards, contacts, visit plans, opportunities with their line
    /// items, and complaints. `fieldSync.at(version: 1)` is the schema of the first release.
    ///
    /// Every record also carries an append-only notes log (written with the `note` write), which is not a field.
    public static let fieldSync = Schema(
        entities: [customer, contact, visit, opportunity, lineItem, complaint], version: 2, versions: history)

    /// The oldest version a server serves by default: every version so far.
    public static let oldestServedVersion = 1

    private static let byVersion = Dictionary(
        uniqueKeysWithValues: fieldSync.versions.map { ($0.number, fieldSync.at(version: $0.number)) })

    /// FieldSync's schema as version `number` knows it (made once per version); `nil` for a version that does not
    /// exist.
    public static func fieldSync(version number: Int) -> Schema? { byVersion[number] }

    /// What each version changed, oldest first.
    static let history = [
        SchemaVersion(1, "The first release: customers, contacts, visits, opportunities, complaints."),
        SchemaVersion(
            2,
            "WeChat ids, per-deal probability, visit check-out and places, opportunity line items, the main competitor.",
            changes: [
                .addedField(.contact, "wechat"),
                .addedValue(.contact, field: "role", value: "champion"),
                .addedField(.opportunity, "probability"),
                .changedRule(
                    .opportunity, field: "probability", "the weighted forecast uses it instead of the stage's default"),
                .addedField(.visit, "checkedOutAt"),
                .addedField(.visit, "checkInPlace"),
                .addedField(.visit, "checkOutPlace"),
                .addedEntity(.lineItem),
                .renamedField(.opportunity, from: "competitor", to: "mainCompetitor"),
            ]),
    ]

    private static let grades = ["A", "B", "C", "D"]

    private static let customer = EntitySpec(
        .customer,
        help: "A customer card: who the customer is, how valuable, how warm, and who looks after them.",
        fields: [
            FieldSpec("name", .text(maxLength: 200), required: true, help: "Customer name, in any script"),
            FieldSpec("kind", .choice(["individual", "company", "dealer"]), help: "Individual, company or dealer"),
            FieldSpec("industry", .text(maxLength: 100), help: "Industry"),
            FieldSpec("region", .text(maxLength: 100), help: "Region or city"),
            FieldSpec("address", .text(maxLength: 500), help: "Street address"),
            FieldSpec(
                "territory", .text(maxLength: 64), required: true, managed: true,
                help: "Sales territory; decides who sees the card (only managers move it)"),
            FieldSpec(
                "owner", .text(maxLength: 64),
                help:
                    "User name of the owning rep (the server checks they work the territory; reps name only themselves)"
            ),
            FieldSpec("phone", .text(maxLength: 40), format: .phone, help: "Phone number"),
            FieldSpec("email", .text(maxLength: 200), format: .email, help: "E-mail address"),
            FieldSpec("tags", .tags(maxCount: 32, maxLength: 40), help: "Free tags (merged add-wins)"),
            FieldSpec("class", .choice(grades), help: "A top, B major, C ordinary, D small (revenue and potential)"),
            FieldSpec(
                "relationship", .choice(["development", "initial", "stable", "strategic"]),
                help: "Share of the customer's purchases: development, initial <50%, stable 50–80%, strategic 80–100%"),
            FieldSpec("creditGrade", .choice(grades), help: "Credit grade A–D"),
            FieldSpec("creditLimit", .money, help: "Credit limit"),
            FieldSpec(
                "temperature", .choice(["hot", "warm", "cold"]),
                help: "Prospect temperature: hot within a month, warm within three, cold later"),
            FieldSpec("status", .choice(["active", "dormant", "lost"]), help: "Active, dormant or lost"),
            FieldSpec("lossReason", .text(maxLength: 500), help: "Why the customer was lost"),
            FieldSpec("remarks", .text(maxLength: 4000), help: "Free remarks on the card"),
        ]
    )

    private static let contact = EntitySpec(
        .contact,
        help: "A person at a customer; several per customer is normal.",
        fields: [
            FieldSpec("customer", .reference(.customer), required: true, help: "The customer"),
            FieldSpec("name", .text(maxLength: 200), required: true, help: "Name"),
            FieldSpec("title", .text(maxLength: 100), help: "Job title"),
            FieldSpec(
                "role", .choice(["decisionMaker", "influencer", "user", "gatekeeper", "champion"]),
                help: "Role in the purchase (a champion argues for us inside the customer)"),
            FieldSpec("phone", .text(maxLength: 40), format: .phone, help: "Phone number"),
            FieldSpec("email", .text(maxLength: 200), format: .email, help: "E-mail address"),
            FieldSpec("wechat", .text(maxLength: 64), help: "WeChat id"),
        ]
    )

    private static let visit = EntitySpec(
        .visit,
        help: "A visit plan: when a rep sees a customer, why, and what came of it.",
        fields: [
            FieldSpec("customer", .reference(.customer), required: true, help: "The customer visited"),
            FieldSpec(
                "rep", .text(maxLength: 64),
                help: "User name of the visiting rep (the server checks they work the customer's territory)"),
            FieldSpec(
                "plannedAt", .dateTime, required: true,
                help: "Planned date and time (stored in UTC, typed and shown in local time)"),
            FieldSpec("purpose", .text(maxLength: 500), help: "Purpose of the visit"),
            FieldSpec(
                "status", .choice(["planned", "completed", "cancelled", "missed"]),
                rule: .ranked(["planned": 0, "cancelled": 1, "missed": 1, "completed": 2]), forwardOnly: true,
                help: "planned, completed, cancelled or missed (completed wins a conflict)"),
            FieldSpec("outcome", .text(maxLength: 4000), help: "Outcome notes"),
            FieldSpec("nextStep", .text(maxLength: 1000), help: "Agreed next step"),
            FieldSpec("checkedInAt", .dateTime, help: "Actual check-in time (stored in UTC)"),
            FieldSpec("checkInPlace", .text(maxLength: 200), help: "Where the rep checked in (address or coordinates)"),
            FieldSpec("checkedOutAt", .dateTime, help: "Actual check-out time (stored in UTC)"),
            FieldSpec("checkOutPlace", .text(maxLength: 200), help: "Where the rep checked out"),
        ]
    )

    private static let opportunity = EntitySpec(
        .opportunity,
        help: "A sales opportunity on the path prospecting → … → closing → won | lost.",
        fields: [
            FieldSpec("customer", .reference(.customer), required: true, help: "The customer"),
            FieldSpec("title", .text(maxLength: 200), required: true, help: "What is being sold"),
            FieldSpec("amount", .money, help: "Expected amount"),
            FieldSpec("closeDate", .date, help: "Expected close date"),
            FieldSpec("owner", .text(maxLength: 64), help: "User name of the owning rep"),
            FieldSpec(
                "stage", .choice(OpportunityStage.all.map(\.name)),
                rule: .ranked(
                    Dictionary(
                        uniqueKeysWithValues: OpportunityStage.all.enumerated().map { index, stage in
                            (stage.name, stage.isTerminal ? 100 : index)
                        })),
                help: "Stage (terminal beats open, furthest open stage wins, won vs lost needs review)"),
            FieldSpec(
                "mainCompetitor", .text(maxLength: 200),
                help: "The main competitor (called `competitor` before version 2)"),
            FieldSpec("lossReason", .text(maxLength: 500), help: "Why it was lost"),
            FieldSpec(
                "probability", .integer(min: 0, max: 100),
                help: "Chance of winning in percent, overriding the stage's default in the weighted forecast"),
        ]
    )

    private static let lineItem = EntitySpec(
        .lineItem,
        help: "One product line of an opportunity: what, how many, at what price (the amounts add up to a total).",
        fields: [
            FieldSpec("customer", .reference(.customer), required: true, help: "The customer (the opportunity's)"),
            FieldSpec("opportunity", .reference(.opportunity), required: true, help: "The opportunity"),
            FieldSpec("product", .text(maxLength: 200), required: true, help: "Product or service"),
            FieldSpec("quantity", .integer(min: 1, max: 1_000_000_000), required: true, help: "How many"),
            FieldSpec("unitPrice", .money, required: true, help: "Price of one"),
        ]
    )

    private static let complaint = EntitySpec(
        .complaint,
        help: "A customer complaint moving through the handling workflow.",
        fields: [
            FieldSpec("customer", .reference(.customer), required: true, help: "The customer"),
            FieldSpec(
                "category", .choice(["quality", "contract", "delivery", "service"]), required: true,
                help: "Product quality, contract, delivery or service"),
            FieldSpec("description", .text(maxLength: 4000), help: "What the customer reported"),
            FieldSpec(
                "step", .choice(ComplaintStep.names), rule: .ranked(ComplaintStep.ranks), forwardOnly: true,
                help: "Workflow step (the furthest step wins a conflict)"),
            FieldSpec("department", .text(maxLength: 100), help: "Department assigned"),
            FieldSpec("dueDate", .date, help: "When it must be resolved"),
            FieldSpec("resolution", .text(maxLength: 4000), help: "How it was resolved"),
            FieldSpec(
                "satisfaction", .choice(["satisfied", "neutral", "dissatisfied"]),
                help: "The customer's satisfaction afterwards"),
        ]
    )
}
