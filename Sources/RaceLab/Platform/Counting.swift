/// Numbers as racelab prints them, the same on every machine.

extension Int {
    /// 1234567 -> "1,234,567", the same on every machine (no locale): for the lines
    /// scenarios declare and the reports print.
    package var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return self < 0 ? "-" + out : out
    }

    /// 1 and "schedule" -> "1 schedule"; 1000 -> "1,000 schedules" (a regular noun).
    package func counted(_ noun: String) -> String { "\(grouped) \(noun)\(self == 1 ? "" : "s")" }
}

extension StringProtocol {
    /// One or more of 0-9 and nothing else, what racelab reads as a number: not "", "+1"
    /// (which `Int` alone accepts), "２" or "٣".
    package var isASCIIDigits: Bool { !isEmpty && utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
}
