/// A plain-text table: a header row, a rule, right-aligned numbers.
package struct TextTable {
    package struct Column {
        var title: String
        var isNumeric: Bool

        package init(title: String, isNumeric: Bool) {
            self.title = title
            self.isNumeric = isNumeric
        }
    }

    var columns: [Column]
    var rows: [[String]] = []
    /// Applied to each body cell before padding, e.g. to colour a verdict: (row index,
    /// column index, cell) -> text to print. Widths and padding count the plain cell.
    var decorate: ((Int, Int, String) -> String)?

    package init(_ columns: [Column]) { self.columns = columns }

    package mutating func append(_ row: [String]) { rows.append(row) }

    package func render(indent: String = "") -> String {
        var widths = columns.map { $0.title.count }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], cell.count)
            }
        }
        func line(_ cells: [String], row: Int?) -> String {
            let padded = cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let shown = row.flatMap { row in decorate?(row, i, cell) } ?? cell
                return columns[i].isNumeric ? pad + shown : shown + pad
            }
            return indent + String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }
        var out = [line(columns.map(\.title), row: nil)]
        out.append(indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        out += rows.enumerated().map { line($1, row: $0) }
        return out.joined(separator: "\n")
    }
}
