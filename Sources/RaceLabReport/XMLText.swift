/// Text made safe for XML documents racelab writes by hand.
enum XMLText {
    /// Attribute and text escaping for the SVG chart and the JUnit file alike: the
    /// five predefined entities, newlines as `&#10;`, and control characters other
    /// than tab dropped (XML 1.0 cannot carry them).
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "\t"
            default: if scalar.value >= 0x20 { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
