import RaceLab
import RaceLabModel

/// How the table report marks its verdict words: plain text, or ANSI colours for a
/// person at a terminal. JSON, CSV, JUnit and piped output are always plain.
package struct TerminalStyle: Sendable, Equatable {
    package var isColored: Bool

    package init(isColored: Bool) { self.isColored = isColored }

    package static let plain = TerminalStyle(isColored: false)

    /// The SGR code of a verdict: alarm red for BROKEN, red for a race shown, green
    /// for held, yellow where the evidence is weak or absent.
    static func code(for verdict: Verdict) -> String {
        switch verdict {
        case .broken: "1;37;41"
        case .exposed: "1;31"
        case .held: "32"
        case .heldWeak, .couldNotShow, .notExposed: "33"
        }
    }

    /// `text` in the colour of `verdict`, or unchanged when plain.
    func paint(_ text: String, as verdict: Verdict) -> String {
        isColored ? "\u{1B}[\(Self.code(for: verdict))m\(text)\u{1B}[0m" : text
    }
}
