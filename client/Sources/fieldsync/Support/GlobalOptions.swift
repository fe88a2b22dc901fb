import ArgumentParser
import FieldSyncClient
import FieldSyncCommandLine
import FieldSyncModel
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Data directory (default: $FIELDSYNC_HOME or ~/.fieldsync).")
    var dataDir: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Show times in UTC instead of this laptop's time zone (JSON always has UTC).")
    var utc = false

    @Flag(help: "Show record ids next to names (JSON always has ids).")
    var ids = false

    /// How times are shown: in this laptop's time zone, or UTC with `--utc`.
    var time: LocalTime { utc ? .utc : LocalTime() }

    /// How records and values are shown: references by name (`--ids` adds ids), times in `time`.
    func display(_ store: LocalStore) -> Display { Display(names: RecordNames(store: store, time: time), ids: ids) }

    /// The data directory in use.
    var directory: String {
        if let dataDir { return dataDir }
        if let home = ProcessInfo.processInfo.environment["FIELDSYNC_HOME"], !home.isEmpty { return home }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".fieldsync")
    }

    /// Opens the local replica; what it must tell the user once (a copied data folder) goes to standard error.
    func store() throws -> LocalStore {
        let store: LocalStore
        do {
            store = try LocalStore(directory: directory, schema: SpokenSchema.fromEnvironment())
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.localStore, "Cannot open the local data in \(directory): \(error)")
        }
        for notice in try store.takeNotices() {
            FileHandle.standardError.write(Data("Note: \(notice)\n".utf8))
        }
        return store
    }

    /// The session, its token and an HTTP transport; fails with a hint when not logged in.
    func connection(_ store: LocalStore) throws -> (SessionInfo, String, HTTPTransport) {
        guard let session = try store.session(), let token = TokenFile(directory: directory).read() else {
            throw ClientError.notLoggedIn
        }
        return (session, token, try HTTPTransport(server: session.server, caFile: session.caFile))
    }

    /// Finds a record by reference; when the reference named a customer merged since, says which card it led to.
    func resolve(_ reference: String, _ entity: EntityKind?, in store: LocalStore) throws -> RecordID {
        let found = try store.resolveFollowingMerges(reference, entity: entity)
        if let from = found.mergedFrom {
            let name = try store.record(found.id)?.state.value("name").text.map { " (\($0))" } ?? ""
            FileHandle.standardError.write(Data("Note: \(from) was merged into \(found.id)\(name); using it.\n".utf8))
        }
        return found.id
    }

    /// Prints `value` as pretty, stable JSON.
    func printJSON(_ value: some Encodable) throws { try CommandLineTool.printJSON(value) }
}
