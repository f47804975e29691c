/// How the table report marks its verdict words: plain text, or ANSI colours for a
/// person at a terminal. JSON, CSV, JUnit and piped output are always plain.
public struct TerminalStyle: Sendable, Equatable {
    public var isColored: Bool

    public init(isColored: Bool) { self.isColored = isColored }

    public static let plain = TerminalStyle(isColored: false)

    /// The SGR code of a verdict word: alarm red for BROKEN, red for the race shown,
    /// green for held, yellow where the evidence is weak or absent.
    static func code(for label: String) -> String? {
        switch label {
        case "BROKEN": "1;37;41"
        case "RACE EXPOSED", "DATA RACE EXPOSED": "1;31"
        case "held": "32"
        case "held (weak)", "COULD NOT SHOW", "not shown": "33"
        default: nil
        }
    }

    /// `text` wrapped in the colour of `label`, or unchanged when plain.
    func paint(_ text: String, as label: String) -> String {
        guard isColored, let code = Self.code(for: label) else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// A verdict sentence with its verdict word painted in the colour of `label`,
    /// the same as the table's cell ("unsafe: RACE EXPOSED — ..."): the word right
    /// after the strategy's name.
    func paintSentence(_ sentence: String, label: String) -> String {
        guard isColored, let colon = sentence.firstRange(of: ": ") else { return sentence }
        let rest = sentence[colon.upperBound...]
        let word = rest.prefix { $0 != "—" && $0 != "(" }.reversed().drop { $0 == " " }.reversed()
        guard !word.isEmpty else { return sentence }
        let end = rest.index(rest.startIndex, offsetBy: word.count)
        return String(sentence[..<colon.upperBound]) + paint(String(word), as: label) + String(rest[end...])
    }
}
