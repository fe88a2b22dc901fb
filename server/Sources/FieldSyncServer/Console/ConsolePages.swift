import FieldSyncModel
import Foundation

/// The figures of each console page, computed from what the user sees (`ConsoleViews`) with the shared model's
/// reports, so the pipeline here is the one `fieldsync pipeline` shows on a laptop holding the same records.
struct ConsolePages {
    let view: ConsoleView
    let nowMs: Int64

    /// Rows a list shows at most; the page says how many more there are.
    static let rowLimit = 200

    private var records: [RecordID: ConsoleView.Entry] { view.records }
    private var now: Date { Date(timeIntervalSince1970: Double(nowMs) / 1000) }

    private static func row(_ row: Reports.PipelineRow, label: String? = nil) -> [String: Any] {
        [
            "key": row.key, "label": label ?? row.key, "count": row.count, "amount": ConsoleText.amounts(row.amount),
            "weighted": ConsoleText.amounts(row.weighted), "amountKey": ConsoleText.machineAmounts(row.amount),
            "weightedKey": ConsoleText.machineAmounts(row.weighted),
        ]
    }

    /// The largest currency's total of `amounts` (the one a chart draws).
    private static func mainAmount(_ amounts: [String: Int64]) -> Double {
        Double(amounts.values.max() ?? 0)
    }

    /// The pipeline page: funnel by stage, open against closed, closing this month and quarter, forecast by rep.
    func pipeline() -> [String: Any] {
        let opportunities = view.entries(.opportunity).compactMap(\.entry.opportunity)
        let stages = Reports.funnel(opportunities)
        // The forecast is of open deals: a rep's won and lost deals are not in it.
        let reps = Reports.pipeline(opportunities.filter { !$0.isClosed }, by: [.rep])
        let periods = ConsoleText.periods(at: now)
        let month = Reports.closing(opportunities, from: periods.month.0, to: periods.month.1)
        let quarter = Reports.closing(opportunities, from: periods.quarter.0, to: periods.quarter.1)
        return [
            "funnel": ConsoleCharts.funnel(
                stages.map {
                    .init(
                        label: $0.key, size: Double($0.count), text: "\($0.count) · \(ConsoleText.amounts($0.amount))")
                },
                title: "Opportunities by stage"),
            "repChart": ConsoleCharts.bars(
                reps.map {
                    .init(label: $0.key, size: Self.mainAmount($0.weighted), text: ConsoleText.amounts($0.weighted))
                }, title: "Weighted forecast by rep"),
            "stages": stages.map { Self.row($0) },
            "outcomes": Reports.outcomes(opportunities).map { Self.row($0) },
            "closing": [
                Self.row(month, label: "This month (\(periods.month.0) to \(periods.month.1))"),
                Self.row(quarter, label: "This quarter (\(periods.quarter.0) to \(periods.quarter.1))"),
            ],
            "reps": reps.map { Self.row($0) },
        ]
    }

    /// The team page: per member, this week's visits, stale cards and deals, and their laptops' last pushes.
    func team(members: [User], replicas: [ReplicaStats], days: Int) -> [String: Any] {
        let week = ConsoleText.week(at: now)
        let visits = Dictionary(
            uniqueKeysWithValues: Reports.visits(
                view.entries(.visit).compactMap(\.entry.visit), from: week.0, to: week.1
            ).map { ($0.rep ?? "", $0) })
        let staleCards = Reports.stale(
            view.entries(.customer), lastChangeMs: \.entry.lastChangeMs, days: days, nowMs: nowMs)
        let staleDeals = Reports.stale(
            view.entries(.opportunity).filter { !($0.entry.opportunity?.isClosed ?? true) },
            lastChangeMs: \.entry.lastChangeMs, days: days, nowMs: nowMs)
        let owner = { (record: (id: RecordID, entry: ConsoleView.Entry)) in record.entry.owner ?? "" }
        let staleCardsByOwner = Dictionary(grouping: staleCards) { owner($0.record) }.mapValues(\.count)
        let staleDealsByOwner = Dictionary(grouping: staleDeals) { owner($0.record) }.mapValues(\.count)
        let rows: [[String: Any]] = members.map { member in
            let laptops = replicas.filter { $0.user == member.name && !$0.replica.hasPrefix("console-") }.map {
                [
                    "replica": $0.replica, "lastPush": $0.lastPushMs.map(ConsoleText.time) ?? "no push yet",
                    "offset": $0.clockOffsetMs.map { Self.offset($0) } ?? "offset unknown",
                ]
            }
            return [
                "name": member.name, "planned": visits[member.name]?.planned ?? 0,
                "completed": visits[member.name]?.completed ?? 0,
                "staleCards": staleCardsByOwner[member.name] ?? 0, "staleDeals": staleDealsByOwner[member.name] ?? 0,
                "laptops": laptops,
            ]
        }
        return [
            "days": days, "reps": rows,
            "staleCards": staleCards.isEmpty
                ? false
                : [
                    "rows": staleCards.prefix(100).map {
                        [
                            "id": $0.record.id.rawValue, "label": ConsoleText.label($0.record.id, in: records),
                            "owner": owner($0.record), "last": ConsoleText.time($0.lastMs),
                        ]
                    }
                ],
            "staleDeals": staleDeals.isEmpty
                ? false
                : [
                    "rows": staleDeals.prefix(100).map { deal -> [String: Any] in
                        let customer = deal.record.entry.state.value("customer").text ?? ""
                        return [
                            "label": ConsoleText.label(deal.record.id, in: records), "customer": customer,
                            "customerLabel": ConsoleText.label(ofCustomer: customer, in: records),
                            "owner": owner(deal.record), "stage": deal.record.entry.opportunity?.stage ?? "",
                            "last": ConsoleText.time(deal.lastMs),
                        ]
                    }
                ],
        ]
    }

    /// A clock offset as a person reads it.
    static func offset(_ ms: Int64) -> String {
        abs(ms) < 1_000 ? "clock on time" : "clock \(abs(ms) / 1_000) s \(ms > 0 ? "ahead" : "behind")"
    }

    /// The customers page: cards matching `query` (name, phone or e-mail; case-insensitive), by name.
    func customers(query: String, limit: Int = rowLimit) -> [String: Any] {
        let needle = query.trimmingCharacters(in: .whitespaces).lowercased()
        let matches = view.entries(.customer).filter { customer in
            needle.isEmpty
                || ["name", "phone", "email"].contains {
                    customer.entry.state.value($0).text.map { ConsoleText.contains($0.lowercased(), needle) } == true
                }
        }.map { customer in
            let label = customer.entry.state.value("name").text ?? customer.id.rawValue
            return (id: customer.id, entry: customer.entry, label: label, key: Array(label.utf8))
        }
        // By code point (the UTF-8 bytes): a stable order for names in any script, many times faster than String's.
        .sorted { lhs, rhs in lhs.key == rhs.key ? lhs.id < rhs.id : lhs.key.lexicographicallyPrecedes(rhs.key) }
        return [
            "query": query, "more": matches.count > limit, "shown": min(limit, matches.count), "total": matches.count,
            "rows": matches.prefix(limit).map { customer in
                [
                    "id": customer.id.rawValue, "label": customer.label,
                    "territory": customer.entry.territory, "owner": customer.entry.owner ?? "",
                    "class": customer.entry.state.value("class").text ?? "",
                    "phone": customer.entry.state.value("phone").text ?? "",
                ]
            },
        ]
    }

    /// The customer card: fields, then contacts, opportunities, visits and complaints, notes and history.
    func customer(_ id: RecordID, history: [HistoryEntry]) -> [String: Any]? {
        guard let state = records[id]?.state, state.exists, state.entity == .customer else { return nil }
        let spec = Schema.fieldSync[.customer]
        let fields: [[String: Any]] = spec.fields.map { field in
            let value =
                field.type.isSet
                ? state.elements(field.name).joined(separator: ", ") : ConsoleText.value(state.value(field.name))
            return ["name": field.name, "value": value, "conflict": state.fields[field.name]?.isConflict ?? false]
        }
        let children = view.children(of: id)
        func section(_ title: String, _ entity: EntityKind, _ columns: [String], sortedBy key: String, descending: Bool)
            -> [String: Any]
        {
            let rows = children.filter { $0.1.entity == entity }.sorted { lhs, rhs in
                let (a, b) = (lhs.1.value(key).text ?? "", rhs.1.value(key).text ?? "")
                return descending ? a > b : a < b
            }
            return [
                "title": title, "count": rows.count, "hasRows": !rows.isEmpty, "columns": columns,
                "rows": rows.map { row in
                    [
                        "cells": columns.map { column in
                            let value = row.1.value(column)
                            if case .text(let text) = value,
                                Schema.fieldSync[entity].fields.first(where: { $0.name == column })?.type == .dateTime
                            {
                                return ConsoleText.dateTime(text)
                            }
                            return ConsoleText.value(value)
                        }
                    ]
                },
            ]
        }
        return [
            "title": state.value("name").text ?? id.rawValue, "fields": fields,
            "children": [
                section(
                    "Contacts", .contact, ["name", "title", "role", "phone", "email"], sortedBy: "name",
                    descending: false),
                section(
                    "Opportunities", .opportunity, ["title", "stage", "amount", "closeDate", "owner"],
                    sortedBy: "closeDate",
                    descending: false),
                section(
                    "Visits", .visit, ["plannedAt", "rep", "status", "purpose", "outcome"], sortedBy: "plannedAt",
                    descending: true),
                section(
                    "Complaints", .complaint, ["category", "step", "dueDate", "department", "description"],
                    sortedBy: "dueDate", descending: false),
            ],
            "notes": state.notes.sorted { $0.hlc > $1.hlc }.prefix(20).map {
                ["text": $0.text, "author": $0.author, "time": ConsoleText.time($0.hlc.wallMs)]
            },
            "history": history.sorted { $0.seq > $1.seq }.prefix(200).map { entry in
                [
                    "time": ConsoleText.time(entry.hlc.wallMs), "author": entry.author,
                    "what": [entry.op, entry.field].compactMap { $0 }.joined(separator: " "),
                    "old": entry.oldValue.map(ConsoleText.value) ?? "",
                    "new": entry.newValue.map(ConsoleText.value) ?? "",
                ]
            },
        ]
    }

    /// Every open conflict in the view, with a form to settle each.
    func conflicts(csrf: String) -> [[String: Any]] {
        view.conflicted.sorted().prefix(Self.rowLimit).flatMap { id in
            records[id]!.state.conflicts(of: id).map { conflict -> [String: Any] in
                let state = records[id]!.state
                let customer = state.entity == .customer ? id.rawValue : state.value("customer").text ?? ""
                var row: [String: Any] = [
                    "csrf": csrf, "anchor": conflict.id.replacing("/", with: "-"), "record": id.rawValue,
                    "customer": customer, "label": ConsoleText.label(id, in: records),
                    "entity": conflict.entity.rawValue,
                    "what": conflict.field ?? "deleted while edited",
                    "bases": conflict.heads.map(\.id.description).joined(separator: ","),
                    "deletes": conflict.deletes.map(\.id.description).joined(separator: ","),
                    "heads": conflict.heads.map { head in
                        [
                            "id": head.id.description, "domID": head.id.description.replacing(":", with: "-"),
                            "value": ConsoleText.value(head.value), "author": head.author,
                            "time": ConsoleText.time(head.hlc.wallMs), "winner": head.id == conflict.winner,
                        ] as [String: Any]
                    },
                    "deleteMarkers": conflict.deletes.map {
                        ["author": $0.author, "time": ConsoleText.time($0.hlc.wallMs)]
                    },
                ]
                if let field = conflict.field { row["field"] = field }
                return row
            }
        }
    }

    /// Pairs of customer cards that are likely the same customer (`DuplicateRule`). At most `rowLimit` pairs, by name;
    /// each with the forms that merge one card into the other when `canMerge`.
    func duplicates(csrf: String, canMerge: Bool) -> [[String: Any]] {
        var groups: [String: [(id: RecordID, entry: ConsoleView.Entry)]] = [:]
        for customer in view.entries(.customer) {
            for key in customer.entry.duplicateKeys { groups[key, default: []].append(customer) }
        }
        var seen: Set<[RecordID]> = []
        var pairs: [(key: [UInt8], row: [String: Any])] = []
        for (key, members) in groups where members.count > 1 {
            let sorted = members.sorted { $0.id < $1.id }
            for (index, first) in sorted.enumerated() {
                for second in sorted[(index + 1)...] where seen.insert([first.id, second.id]).inserted {
                    let label = { (id: RecordID) in ConsoleText.label(id, in: records) }
                    pairs.append(
                        (
                            Array(label(first.id).utf8),
                            [
                                "first": first.id.rawValue, "second": second.id.rawValue,
                                "firstLabel": label(first.id), "secondLabel": label(second.id),
                                "firstOwner": first.entry.owner ?? "no owner",
                                "secondOwner": second.entry.owner ?? "no owner",
                                "reason": DuplicateRule.Reason(rawValue: String(key.prefix { $0 != ":" }))?.text ?? "",
                                "csrf": csrf, "canMerge": canMerge,
                            ]
                        ))
                }
            }
        }
        return pairs.sorted { $0.key.lexicographicallyPrecedes($1.key) }.prefix(Self.rowLimit).map(\.row)
    }

    /// Open complaints (not yet evaluated or rejected) by workflow step, oldest first, overdue ones marked.
    func complaints() -> [[String: Any]] {
        let today = ConsoleText.day(now)
        var bySteps: [String: [ConsoleView.Entry]] = [:]
        for (_, complaint) in view.entries(.complaint) {
            let step = complaint.state.value("step").text ?? "recorded"
            if !["evaluated", "rejected"].contains(step) { bySteps[step, default: []].append(complaint) }
        }
        return ComplaintStep.names.compactMap { step -> [String: Any]? in
            guard
                let rows = bySteps[step]?.sorted(by: {
                    ($0.state.creation?.hlc.wallMs ?? 0) < ($1.state.creation?.hlc.wallMs ?? 0)
                })
            else { return nil }
            return [
                "step": step, "count": rows.count, "more": rows.count > Self.rowLimit,
                "shown": min(rows.count, Self.rowLimit),
                "rows": rows.prefix(Self.rowLimit).map { complaint in
                    let customer = complaint.state.value("customer").text ?? ""
                    let due = complaint.state.value("dueDate").text ?? ""
                    return [
                        "customer": customer,
                        "customerLabel": ConsoleText.label(ofCustomer: customer, in: records),
                        "category": complaint.state.value("category").text ?? "",
                        "age": max(0, (nowMs - (complaint.state.creation?.hlc.wallMs ?? nowMs)) / 86_400_000),
                        "due": due, "overdue": !due.isEmpty && due < today,
                        "department": complaint.state.value("department").text ?? "",
                    ] as [String: Any]
                },
            ]
        }
    }
}
