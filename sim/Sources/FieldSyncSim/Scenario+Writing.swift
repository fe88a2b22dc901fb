import FieldSyncModel
import Foundation
import Yams

extension Scenario {
    /// The scenario as a file `fieldsync-sim run` reads back: the team and one flow-style line per step.
    public var yaml: String {
        let team = Node.Sequence(
            team.map { member in
                Self.mapping(
                    [
                        ("user", Self.scalar(member.user)), ("role", Self.scalar(member.role.rawValue)),
                        ("team", Self.scalar(member.team)), ("territories", Self.sequence(member.territories)),
                    ]
                        + (member.schema == Schema.fieldSync.version
                            ? [] : [("schema", Node.scalar(.init(String(member.schema))))]))
            }, .implicit, .block)
        let root = Node.Mapping(
            [
                (Self.scalar("name"), Self.scalar(name)), (Self.scalar("seed"), .scalar(Node.Scalar(String(seed)))),
                (Self.scalar("team"), .sequence(team)),
            ]
                + (data.isEmpty
                    ? []
                    : [
                        (
                            Self.scalar("data"),
                            .sequence(Node.Sequence(data.map { $0.action.dataNode }, .implicit, .block))
                        )
                    ]) + [
                    (Self.scalar("steps"), .sequence(Node.Sequence(steps.map { $0.action.node }, .implicit, .block)))
                ], .implicit, .block)
        return (try? Yams.serialize(node: .mapping(root), width: -1, allowUnicode: true)) ?? ""
    }

    /// A flow mapping with its keys in this order.
    static func mapping(_ pairs: [(String, Node)]) -> Node {
        .mapping(Node.Mapping(pairs.map { (scalar($0.0), $0.1) }, .implicit, .flow))
    }

    /// A flow sequence of scalars.
    static func sequence(_ items: [String]) -> Node {
        .sequence(Node.Sequence(items.map(scalar), .implicit, .flow))
    }

    /// A scalar that reads back as the same text: quoted unless it is a plain word YAML keeps as text.
    static func scalar(_ text: String) -> Node {
        let plain =
            !text.isEmpty && text.first!.isLetter
            && !["true", "false", "yes", "no", "on", "off", "null"].contains(text)
            && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        return .scalar(Node.Scalar(text, .implicit, plain ? .plain : .doubleQuoted))
    }

    /// `90000` ms as `90s`, `7200000` as `2h`.
    static func durationText(_ ms: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        where ms != 0 && ms % size == 0 {
            return "\(ms / size)\(unit)"
        }
        return ms == 0 ? "0" : "\(ms / 1_000)s"
    }
}

extension Scenario.Step {
    /// A step, written as a scenario file would write it.
    public init(_ action: Scenario.Action) {
        self.init(action, text: action.line)
    }
}

extension Scenario.Action {
    /// The step as one line of a scenario file.
    public var line: String {
        ((try? Yams.serialize(node: node, width: -1, allowUnicode: true)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A `data` entry as a scenario file writes it: an `add` without its laptop.
    var dataNode: Node {
        guard case .mapping(let mapping) = node else { return node }
        return .mapping(Node.Mapping(mapping.filter { $0.key.string != "laptop" }, .implicit, .flow))
    }

    /// The step as a scenario file writes it, its keys in reading order.
    var node: Node {
        let s = Scenario.scalar
        func fields(_ fields: [String: String]) -> Node {
            Scenario.mapping(fields.sorted { $0.key < $1.key }.map { ($0.key, s($0.value)) })
        }
        func withTags(_ pairs: [(String, Node)], _ tags: [String], _ untags: [String]) -> [(String, Node)] {
            pairs + (tags.isEmpty ? [] : [("tag", Scenario.sequence(tags))])
                + (untags.isEmpty ? [] : [("untag", Scenario.sequence(untags))])
        }
        switch self {
        case .add(let laptop, let entity, let alias, let set, let tags):
            return Scenario.mapping(
                withTags(
                    [("laptop", s(laptop)), ("add", s(entity.rawValue)), ("as", s(alias)), ("set", fields(set))],
                    tags, []))
        case .edit(let laptop, let record, let set, let tags, let untags):
            return Scenario.mapping(
                withTags(
                    [("laptop", s(laptop)), ("edit", s(record))] + (set.isEmpty ? [] : [("set", fields(set))]), tags,
                    untags))
        case .note(let laptop, let record, let text):
            return Scenario.mapping([("laptop", s(laptop)), ("note", s(record)), ("text", s(text))])
        case .delete(let laptop, let record):
            return Scenario.mapping([("laptop", s(laptop)), ("delete", s(record))])
        case .restore(let laptop, let record):
            return Scenario.mapping([("laptop", s(laptop)), ("restore", s(record))])
        case .merge(let laptop, let record, let into):
            return Scenario.mapping([("laptop", s(laptop)), ("merge", s(record)), ("into", s(into))])
        case .console(let user, let record, let field, let keep):
            return Scenario.mapping(
                [("console", s(user)), ("resolve", s(record))] + (field.map { [("field", s($0))] } ?? [])
                    + [("keep", s(keep))])
        case .sync(let laptops):
            return Scenario.mapping([("sync", laptops.count == 1 ? s(laptops[0]) : Scenario.sequence(laptops))])
        case .network(let laptop, let online):
            return Scenario.mapping([(online ? "online" : "offline", s(laptop))])
        case .server(let event):
            return Scenario.mapping([("server", s(event.rawValue))])
        case .copy(let laptop, let to, let imaged):
            return Scenario.mapping(
                [("copy", s(laptop)), ("to", s(to))] + (imaged ? [("imaged", .scalar(.init("true")))] : []))
        case .clock(let laptop, let aheadMs):
            return Scenario.mapping([("clock", s(laptop)), ("ahead", s(Scenario.durationText(aheadMs)))])
        case .fault(let laptop, let fault):
            var pairs = [("laptop", s(laptop)), ("fault", s(fault.kind.rawValue))]
            if fault.on != .push { pairs.append(("in", s(fault.on.rawValue))) }
            if fault.at != 1 { pairs.append(("at", .scalar(.init(String(fault.at))))) }
            if fault.back != 1 { pairs.append(("back", .scalar(.init(String(fault.back))))) }
            return Scenario.mapping(pairs)
        case .upgrade(let laptop):
            return Scenario.mapping([("upgrade", s(laptop))])
        case .wait(let ms):
            return Scenario.mapping([("wait", s(Scenario.durationText(ms)))])
        case .settle:
            return Scenario.mapping([("settle", s("all"))])
        case .check:
            return Scenario.mapping([("check", s("nothing-lost"))])
        case .expect(let expectation):
            var pairs: [(String, Node)] = []
            if let laptop = expectation.laptop {
                pairs.append(("laptop", s(laptop)))
            } else {
                pairs.append(("server", .scalar(.init("true"))))
            }
            if let record = expectation.record { pairs.append(("record", s(record))) }
            if let field = expectation.field { pairs.append(("field", s(field))) }
            if let value = expectation.value { pairs.append(("value", s(value))) }
            if let conflict = expectation.conflict {
                pairs += [("conflict", s(conflict)), ("values", Scenario.sequence(expectation.values))]
            }
            if expectation.absent { pairs.append(("absent", .scalar(.init("true")))) }
            if let code = expectation.rejected { pairs.append(("rejected", s(code))) }
            if let pending = expectation.pending { pairs.append(("pending", .scalar(.init(String(pending))))) }
            if let tags = expectation.tags { pairs.append(("tags", Scenario.sequence(tags))) }
            if let pipeline = expectation.pipeline { pairs.append(("pipeline", s(pipeline))) }
            if let count = expectation.count { pairs.append(("count", .scalar(.init(String(count))))) }
            if let amount = expectation.amount { pairs.append(("amount", s(amount))) }
            return Scenario.mapping([("expect", Scenario.mapping(pairs))])
        }
    }
}
