/// A plain-text table: a header row, a rule, right-aligned numbers.
struct TextTable {
    struct Column {
        var title: String
        var isNumeric: Bool
    }

    var columns: [Column]
    var rows: [[String]] = []
    /// Applied to each body cell after padding (widths count the plain text), e.g. to
    /// colour a verdict: (column index, raw cell, padded cell) -> text to print.
    var decorate: ((Int, String, String) -> String)?

    init(_ columns: [Column]) { self.columns = columns }

    mutating func append(_ row: [String]) { rows.append(row) }

    func render(indent: String = "") -> String {
        var widths = columns.map { $0.title.count }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], cell.count)
            }
        }
        func line(_ cells: [String], decorated: Bool) -> String {
            let padded = cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let text = columns[i].isNumeric ? pad + cell : cell + pad
                return decorated ? decorate?(i, cell, text) ?? text : text
            }
            return indent + String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }
        var out = [line(columns.map(\.title), decorated: false)]
        out.append(indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        out += rows.map { line($0, decorated: true) }
        return out.joined(separator: "\n")
    }
}
