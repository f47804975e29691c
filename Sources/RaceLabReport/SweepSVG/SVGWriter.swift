/// Builds an SVG document as text, escaping what it is given.
struct SVGWriter {
    private var parts: [String]

    init(width: Double, height: Double) {
        let w = SweepSVG.n(width)
        let h = SweepSVG.n(height)
        parts = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\""
                + " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
        ]
    }

    mutating func raw(_ element: String) { parts.append(element) }

    mutating func text(_ content: String, x: Double, y: Double, attributes: String) {
        let extra = attributes.isEmpty ? "" : " " + attributes
        parts.append("<text x=\"\(SweepSVG.n(x))\" y=\"\(SweepSVG.n(y))\"\(extra)>\(XMLText.escaped(content))</text>")
    }

    mutating func noData(in panel: (x: Double, width: Double), top: Double, height: Double, _ message: String) {
        text(
            message, x: panel.x + panel.width / 2, y: top + height / 2,
            attributes: "font-size=\"13\" fill=\"#777\" text-anchor=\"middle\"")
    }

    func finished() -> String { (parts + ["</svg>"]).joined(separator: "\n") + "\n" }

}
