import FieldSyncModel
import Foundation

/// Writes a pull page as JSON by hand, splicing each record's stored state JSON unparsed: a bootstrap of tens of
/// thousands of records then costs one copy per record instead of a decode and an encode.
enum PullEncoder {
    static func encode(_ page: PullPage, hlc: HLCTimestamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(page.records.reduce(256) { $0 + $1.state.count + 96 })
        out += Array(#"{"records":["#.utf8)
        for (index, record) in page.records.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(#"{"id":""#.utf8)
            out += Array(record.id.rawValue.utf8)
            out += Array(#"","territory":"#.utf8)
            JSONText.appendString(record.territory, to: &out)
            out += Array(#","version":\#(record.version),"state":"#.utf8)
            out += record.state
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
