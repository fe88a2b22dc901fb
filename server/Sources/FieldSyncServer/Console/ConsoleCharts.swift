/// Charts drawn on the server as SVG: no script, no external file, readable without colour (every bar is labelled).
enum ConsoleCharts {
    /// One bar: its label, its size and the text written beside it.
    struct Bar {
        let label: String
        let size: Double
        let text: String
    }

    /// A funnel: bars centred under each other, widest for the largest.
    static func funnel(_ bars: [Bar], title: String) -> String {
        draw(bars, title: title, centred: true)
    }

    /// Horizontal bars from a common left edge.
    static func bars(_ bars: [Bar], title: String) -> String {
        draw(bars, title: title, centred: false)
    }

    private static func draw(_ bars: [Bar], title: String, centred: Bool) -> String {
        let rowHeight = 28
        let labelWidth = 150
        let plotWidth = 360
        let textWidth = 260
        let height = max(1, bars.count) * rowHeight + 8
        let width = labelWidth + plotWidth + textWidth
        let largest = bars.map(\.size).max() ?? 0
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\""
            + " width=\"\(width)\" height=\"\(height)\"><title>\(ConsoleText.html(title))</title>"
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight + 4
            let length = largest > 0 ? max(2, Int(Double(plotWidth) * bar.size / largest)) : 2
            let x = labelWidth + (centred ? (plotWidth - length) / 2 : 0)
            svg +=
                "<text x=\"\(labelWidth - 8)\" y=\"\(y + 18)\" text-anchor=\"end\" class=\"label\">"
                + "\(ConsoleText.html(bar.label))</text>"
                + "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(length)\" height=\"\(rowHeight - 6)\" rx=\"3\""
                + " fill=\"#3b6ea5\"/>"
                + "<text x=\"\(labelWidth + plotWidth + 8)\" y=\"\(y + 18)\" class=\"value\">"
                + "\(ConsoleText.html(bar.text))</text>"
        }
        return svg + "</svg>"
    }
}
