import FieldSyncModel
import Foundation

/// Writes a pull page as JSON by hand, splicing each record's stored state JSON unparsed: a bootstrap of tens of
/// thousands of records then costs one copy per record instead of a decode and an encode.
///
/// For a laptop speaking an older schema version, a state holding what that version lacks (found by a byte search
/// for `RecordState.compactMarkers`) is read and written again as that version sees it (`RecordState.seen(by:)`),
/// and records of entities it does not have are left out; every other state is spliced as it is.
enum PullEncoder {
    /// The markers of what each older version lacks, by version.
    private static let markers = Dictionary(
        uniqueKeysWithValues: Schema.fieldSync.versions.compactMap { version -> (Int, [[UInt8]])? in
            guard let older = Schema.fieldSync(version: version.number) else { return nil }
            return (version.number, RecordState.compactMarkers(ofWhat: older, lacks: .fieldSync))
        })

    /// Whether `state` (compact JSON) holds one of `markers`.
    static func holds(_ state: [UInt8], anyOf markers: [[UInt8]]) -> Bool {
        state.withUnsafeBufferPointer { haystack in
            markers.contains { marker in marker.withUnsafeBufferPointer { ByteSearch.contains(haystack, $0) } }
        }
    }

    static func encode(_ page: PullPage, hlc: HLCTimestamp, for older: Schema? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(page.records.reduce(256) { $0 + $1.state.count + 96 })
        out += Array(#"{"records":["#.utf8)
        var first = true
        for record in page.records {
            var state = record.state
            if let older, holds(state, anyOf: markers[older.version] ?? []) {
                guard let seen = try JSONDecoder().decode(RecordState.self, from: Data(state)).seen(by: older) else {
                    continue
                }
                state = seen.compactJSON()
            }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out += Array(#"{"id":""#.utf8)
            out += Array(record.id.rawValue.utf8)
            out += Array(#"","territory":"#.utf8)
            JSONText.appendString(record.territory, to: &out)
            out += Array(#","version":\#(record.version),"state":"#.utf8)
            out += state
            out.append(UInt8(ascii: "}"))
        }
        out += Array(#"],"removed":["#.utf8)
        out += Array(page.removed.map { "\"\($0.rawValue)\"" }.joined(separator: ",").utf8)
        out += Array(
            #"],"cursor":"\#(page.cursor)","changeSeq":\#(page.cursor.seq),"more":\#(page.more),"reset":\#(page.reset),"hlc":"\#(hlc)","generation":"\#(page.generation)"}"#
                .utf8)
        return out
    }
}
