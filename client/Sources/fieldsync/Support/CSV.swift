import ArgumentParser
import FieldSyncClient
import FieldSyncModel
import Foundation

/// RFC 4180 CSV: quoted cells, doubled quotes, newlines inside quotes.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var iterator = text.makeIterator()
        while let char = iterator.next() {
            if quoted {
                if char == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            cell.append("\"")
                        } else {
                            quoted = false
                            if next == "," {
                                row.append(cell); cell = ""
                            } else if next == "\n" || next == "\r\n" {
                                row.append(cell); rows.append(row); row = []; cell = ""
                            } else {
                                cell.append(next)
                            }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(char)
                }
            } else if char == "\"" && cell.isEmpty {
                quoted = true
            } else if char == "," {
                row.append(cell); cell = ""
            } else if char == "\n" || char == "\r\n" || char == "\r" {
                row.append(cell); rows.append(row); row = []; cell = ""
            } else {
                cell.append(char)
            }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows
    }

    static func line(_ cells: [String]) -> String {
        cells.map { cell in
            cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }.joined(separator: ",")
    }
}
