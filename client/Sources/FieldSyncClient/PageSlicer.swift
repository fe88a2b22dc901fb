import Foundation

/// Finds, in the raw bytes of a pull page, the byte range of each record's `state`, so the client can store the
/// server's JSON as it came instead of encoding every state again (the bulk of a bootstrap's local cost).
///
/// It walks the JSON generically (strings with escapes, numbers, literals, nesting) and returns `nil` for anything it
/// does not understand; callers then fall back to encoding.
enum PageSlicer {
    static func stateRanges(in data: Data) -> [Range<Int>]? {
        data.withUnsafeBytes { raw -> [Range<Int>]? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var scanner = Scanner(bytes: bytes)
            return scanner.page()
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// Reads a string and returns it when it is short and plain (keys), otherwise skips it.
        mutating func string() -> String? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let start = position
            var plain = true
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"):
                    plain = false
                    position += 2
                case UInt8(ascii: "\""):
                    defer { position += 1 }
                    return plain
                        ? String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) : ""
                default:
                    position += 1
                }
            }
            return nil
        }

        /// Skips any value; returns false on malformed input.
        mutating func skipValue() -> Bool {
            skipSpace()
            guard position < bytes.count else { return false }
            switch bytes[position] {
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "{"):
                position += 1
                if expect(UInt8(ascii: "}")) { return true }
                repeat {
                    guard string() != nil, expect(UInt8(ascii: ":")), skipValue() else { return false }
                } while expect(UInt8(ascii: ","))
                return expect(UInt8(ascii: "}"))
            case UInt8(ascii: "["):
                position += 1
                if expect(UInt8(ascii: "]")) { return true }
                repeat { guard skipValue() else { return false } } while expect(UInt8(ascii: ","))
                return expect(UInt8(ascii: "]"))
            default:
                let start = position
                while position < bytes.count,
                    !([UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09]
                        .contains(bytes[position]))
                {
                    position += 1
                }
                return position > start
            }
        }

        /// The page object: the ranges of `records[*].state`.
        mutating func page() -> [Range<Int>]? {
            guard expect(UInt8(ascii: "{")) else { return nil }
            var ranges: [Range<Int>]?
            repeat {
                guard let key = string(), expect(UInt8(ascii: ":")) else { return nil }
                if key == "records" {
                    guard let found = records() else { return nil }
                    ranges = found
                } else if !skipValue() {
                    return nil
                }
            } while expect(UInt8(ascii: ","))
            return ranges
        }

        mutating func records() -> [Range<Int>]? {
            guard expect(UInt8(ascii: "[")) else { return nil }
            var ranges: [Range<Int>] = []
            if expect(UInt8(ascii: "]")) { return ranges }
            repeat {
                guard expect(UInt8(ascii: "{")) else { return nil }
                var state: Range<Int>?
                repeat {
                    guard let key = string(), expect(UInt8(ascii: ":")) else { return nil }
                    skipSpace()
                    let start = position
                    guard skipValue() else { return nil }
                    if key == "state" { state = start..<position }
                } while expect(UInt8(ascii: ","))
                guard expect(UInt8(ascii: "}")), let state else { return nil }
                ranges.append(state)
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "]")) ? ranges : nil
        }
    }
}
