/// The rule for customer cards that are likely one customer (two reps who met the same customer offline, an import
/// that overlaps the team's cards): the same name once width, case, spaces, punctuation and company suffixes are set
/// aside, the same phone digits, or the same e-mail. Laptops (`fieldsync dupes`, the warnings of `customer add` and
/// `import`) and the console's Duplicates page use it alike.
public enum DuplicateRule {
    /// Why two cards look alike.
    public enum Reason: String, Hashable, Sendable, Codable, CaseIterable {
        /// The same name key (`nameKey`).
        case name
        /// The same phone digits (at least 7).
        case phone
        /// The same e-mail address, ignoring case.
        case email

        /// How much this reason says two cards are one customer, out of 100.
        public var weight: Int {
            switch self {
            case .name: 60
            case .email: 50
            case .phone: 40
            }
        }

        /// The reason in words.
        public var text: String {
            switch self {
            case .name: "the same name"
            case .phone: "the same phone number"
            case .email: "the same e-mail"
            }
        }
    }

    /// Two cards that are likely one customer, with why and how likely (a score up to 100).
    public struct Pair: Hashable, Sendable {
        /// The card with the smaller id.
        public let first: RecordID
        /// The other card.
        public let second: RecordID
        /// Every reason that holds, strongest first.
        public let reasons: [Reason]

        /// How likely the two are one customer: the reasons' weights added up, at most 100.
        public var score: Int { min(100, reasons.map(\.weight).reduce(0, +)) }
    }

    /// Company suffixes a name key drops (after the name is folded): legal forms, in Chinese and English.
    static let suffixes = [
        "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "coltd", "corp", "ltd", "inc", "gmbh",
        "llc", "co",
    ]

    /// A customer name as duplicates are found by: full-width letters and digits as half-width, lower case, only
    /// letters and digits, without company suffixes (杭州明达机械有限公司 and "杭州明达机械 (集团)" give one key).
    public static func nameKey(_ name: String) -> String {
        // One pass over the scalars (an import keys every line): each lower-cased as `String.lowercased()` does it,
        // scalar by scalar, ASCII without a lookup.
        var kept = String.UnicodeScalarView()
        for original in name.unicodeScalars {
            // Full-width ASCII forms (U+FF01–U+FF5E) are their ASCII letters shifted by 0xFEE0.
            let scalar =
                (0xFF01...0xFF5E).contains(original.value) ? Unicode.Scalar(original.value - 0xFEE0)! : original
            if scalar.isASCII {
                var byte = UInt8(scalar.value)
                if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) { byte += 0x20 }
                if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || ASCII.isDigit(byte) {
                    kept.append(Unicode.Scalar(byte))
                }
                continue
            }
            for lower in scalar.properties.lowercaseMapping.unicodeScalars
            where lower.properties.isAlphabetic || lower.properties.numericType != nil {
                kept.append(lower)
            }
        }
        var key = String(kept)
        // Suffixes start with a letter, which always begins a character: comparing bytes is comparing characters.
        var trimmed = true
        while trimmed {
            trimmed = false
            for suffix in suffixes
            where key.utf8.count > suffix.utf8.count && key.utf8.reversed().starts(with: suffix.utf8.reversed()) {
                key = String(decoding: key.utf8.dropLast(suffix.utf8.count), as: UTF8.self)
                trimmed = true
                break
            }
        }
        return key
    }

    /// The keys a card is matched by: `name:`, `phone:` (digits, at least 7, full-width ones too) and `email:`.
    public static func keys(of state: RecordState) -> [(Reason, String)] {
        var keys: [(Reason, String)] = []
        if let name = state.value("name").text.map(nameKey), !name.isEmpty { keys.append((.name, name)) }
        let digits = String(
            decoding: nameKey(state.value("phone").text ?? "").utf8.filter(ASCII.isDigit), as: UTF8.self)
        if digits.utf8.count >= 7 { keys.append((.phone, digits)) }
        if let email = state.value("email").text.map(emailKey), email.contains("@") { keys.append((.email, email)) }
        return keys
    }

    /// An e-mail address as duplicates are found by: lower case, without whitespace.
    static func emailKey(_ email: String) -> String {
        guard ASCII.only(email) else { return email.lowercased().filter { !$0.isWhitespace } }
        return String(decoding: email.lowercased().utf8.filter { !ASCII.isWhitespace($0) }, as: UTF8.self)
    }

    /// Every likely pair among existing customer cards `customers`, most likely first, then by id.
    public static func pairs(_ customers: [(id: RecordID, state: RecordState)]) -> [Pair] {
        var byKey: [String: [RecordID]] = [:]
        for customer in customers where customer.state.exists && customer.state.entity == .customer {
            for (reason, key) in keys(of: customer.state) {
                byKey[reason.rawValue + ":" + key, default: []].append(customer.id)
            }
        }
        var reasons: [[RecordID]: Set<Reason>] = [:]
        for (key, ids) in byKey where ids.count > 1 {
            let reason = Reason(rawValue: String(key.prefix { $0 != ":" }))!
            let sorted = ids.sorted()
            for (index, first) in sorted.enumerated() {
                for second in sorted[(index + 1)...] { reasons[[first, second], default: []].insert(reason) }
            }
        }
        return reasons.map { ids, found in
            Pair(first: ids[0], second: ids[1], reasons: Reason.allCases.filter(found.contains))
        }.sorted { ($1.score, $0.first, $0.second) < ($0.score, $1.first, $1.second) }
    }

    /// The existing cards among `customers` that `card` (a card about to be added) is likely a duplicate of.
    public static func matches(of card: RecordState, among customers: [(id: RecordID, state: RecordState)])
        -> [(id: RecordID, reasons: [Reason])]
    {
        Index(customers).matches(of: card)
    }

    /// Existing customer cards by their keys, so each card added (a line of a large import) is checked in constant
    /// time.
    public struct Index: Sendable {
        private var byKey: [String: [RecordID]] = [:]

        /// Indexes the existing customer cards among `customers`.
        public init(_ customers: [(id: RecordID, state: RecordState)] = []) {
            for customer in customers { insert(customer.id, customer.state) }
        }

        /// Adds a card (an existing customer; anything else is left out).
        public mutating func insert(_ id: RecordID, _ state: RecordState) {
            guard state.exists, state.entity == .customer else { return }
            insert(id, keys: keys(of: state))
        }

        /// Adds the customer card `id` whose keys (`DuplicateRule.keys(of:)`) are `keys`.
        public mutating func insert(_ id: RecordID, keys: [(Reason, String)]) {
            for (reason, key) in keys { byKey[reason.rawValue + ":" + key, default: []].append(id) }
        }

        /// The indexed cards `card` is likely a duplicate of, most likely first, with every reason that holds.
        public func matches(of card: RecordState) -> [(id: RecordID, reasons: [Reason])] {
            matches(keys: keys(of: card))
        }

        /// The indexed cards a card whose keys (`DuplicateRule.keys(of:)`) are `keys` is likely a duplicate of, as
        /// `matches(of:)` gives them.
        public func matches(keys: [(Reason, String)]) -> [(id: RecordID, reasons: [Reason])] {
            var found: [RecordID: Set<Reason>] = [:]
            for (reason, key) in keys {
                for id in byKey[reason.rawValue + ":" + key] ?? [] { found[id, default: []].insert(reason) }
            }
            return found.map { id, reasons in (id, Reason.allCases.filter(reasons.contains)) }
                .sorted { lhs, rhs in
                    let (left, right) = (lhs.reasons.map(\.weight).reduce(0, +), rhs.reasons.map(\.weight).reduce(0, +))
                    return left != right ? left > right : lhs.id < rhs.id
                }
        }
    }
}
