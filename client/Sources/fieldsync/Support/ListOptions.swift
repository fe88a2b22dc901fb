import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// What every list takes: `--search`, `--tag`, `--owner`, `--limit`.
struct ListOptions: ParsableArguments {
    @Option(help: "Only records whose name, phone, e-mail, other text or notes contain this (any case).")
    var search: String?
    @Option(help: "Only records with this tag.") var tag: String?
    @Option(help: "Only records of this user (the owner; a visit's rep).") var owner: String?
    @Option(help: "Show at most N records.") var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit takes a number of records from 1 up; got \(limit).") }
    }

    /// Whether `record` passes the filters.
    func passes(_ record: LocalRecord, schema: Schema) -> Bool {
        let state = record.state
        if let owner, (state.value(record.entity == .visit ? "rep" : "owner").text ?? "") != owner { return false }
        if let tag,
            !schema[record.entity].fields.contains(where: { $0.type.isSet && state.elements($0.name).contains(tag) })
        {
            return false
        }
        if let search, RecordSearch(search).match(state, schema: schema) == nil { return false }
        return true
    }
}
