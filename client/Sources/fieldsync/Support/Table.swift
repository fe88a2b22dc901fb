import Foundation

/// Whether standard output is a terminal (progress and decoration only then).
let outputIsTerminal = isatty(STDOUT_FILENO) == 1

/// Prints rows as an aligned table; wide (CJK) characters count two columns.
func printTable(_ headers: [String], _ rows: [[String]]) {
    func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            total
                + ((0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                    || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                    || (0xFF00...0xFF60).contains(scalar.value) ? 2 : 1)
        }
    }
    let widths = headers.indices.map { column in
        ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(width).max() ?? 0
    }
    for row in [headers] + rows {
        let cells = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - width(cell))
        }
        // No trailing spaces when the last cells are empty.
        print(String(cells.joined(separator: "  ").reversed().drop { $0 == " " }.reversed()))
    }
}
