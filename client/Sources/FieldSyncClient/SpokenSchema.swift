import FieldSyncModel
import Foundation

/// The schema version this laptop speaks: the newest, unless `FIELDSYNC_SCHEMA_VERSION` names an older one. Speaking
/// version 1, the client behaves exactly as the first release did: it sends no `FieldSync-Schema` header, refuses
/// fields and values version 1 did not have, and sees records as the server shows version 1.
public enum SpokenSchema {
    /// The environment variable that names an older version.
    public static let variable = "FIELDSYNC_SCHEMA_VERSION"

    /// The schema named by the environment, or the newest; an unusable value is an error that lists the versions.
    public static func fromEnvironment() throws(ClientError) -> Schema {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return .fieldSync }
        guard let version = Int(text), let schema = Schema.fieldSync(version: version) else {
            throw ClientError(
                .invalidArgument,
                "\(variable)=\(text.prefix(20)) is not a schema version: use 1 to \(Schema.fieldSync.version), or unset"
                    + " it to speak the newest.")
        }
        return schema
    }

    /// The schema named by the environment, or the newest when it names none or an unusable one (the CLI reports
    /// an unusable one before it opens anything).
    public static var current: Schema { (try? fromEnvironment()) ?? .fieldSync }
}
