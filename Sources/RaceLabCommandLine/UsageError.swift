/// Bad input: what was wrong, in one line that names the flag, the value and what
/// is accepted. racelab prints it, a usage line and a pointer to help, and exits 64.
package struct UsageError: Error, Equatable, Sendable {
    /// The line after "Error: ".
    package var message: String
    /// The subcommand whose usage to show, or nil for racelab's own.
    package var subcommand: String?

    package init(_ message: String, subcommand: String? = nil) {
        self.message = message
        self.subcommand = subcommand
    }

    /// The full text for stderr: exactly one `Error:` line, then usage and a pointer.
    package var rendered: String {
        let usage = subcommand.flatMap(Help.usageLine(for:)) ?? Help.topUsageLine
        let pointer = subcommand.map { "racelab \($0) --help" } ?? "racelab --help"
        return "Error: \(message)\n\(usage)\n  See '\(pointer)' for more information.\n"
    }
}

/// Closest candidate to a mistyped name, if one is close enough to be a likely typo.
enum Suggestion {
    static func closest(to input: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(input.lowercased(), $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let limit = max(2, best.0.count / 3)
        if best.1 <= limit { return best.0 }
        // A prefix ("pthread" for "pthread-mutex") is a good hint too.
        return candidates.first { $0.hasPrefix(input) && input.count >= 3 }
    }

    /// The long option a single-dash token was meant to be ("-threads", "-dur"), or nil.
    /// Short options with glued values ("-t8", "-sunsafe") are not close to any long name.
    static func longNameWithOneDash(_ token: String, among longs: [String]) -> String? {
        guard token.hasPrefix("-"), !token.hasPrefix("--") else { return nil }
        let word = String(token.dropFirst().prefix { $0 != "=" })
        guard word.count >= 3, word.allSatisfy({ $0.isLetter || $0 == "-" }),
            let long = closest(to: word, in: longs), distance(word, long) <= 1 || long.hasPrefix(word)
        else { return nil }
        return long
    }

    /// "Did you mean 'x'?" or an empty string.
    static func didYouMean(_ input: String, in candidates: [String]) -> String {
        closest(to: input, in: candidates).map { " Did you mean '\($0)'?" } ?? ""
    }

    /// Levenshtein edit distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(
                    previous[j] + 1, current[j - 1] + 1,
                    previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
