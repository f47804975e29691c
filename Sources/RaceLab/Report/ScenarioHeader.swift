extension Scenario {
    /// Extra header lines for the options this scenario uses.
    func headerLines(_ request: Request) -> [String] {
        options.compactMap { option in
            switch option {
            case .work: request.work > 0 ? "  work        \(request.work) spin steps between read and write-back" : nil
            case .keys:
                "  keys        \(request.keys) distinct (\(request.distribution.rawValue)), seed \(request.seed)"
            case .readRatio: "  reads       \(request.readRatio)% lookups, \(100 - request.readRatio)% increments"
            case .stripes: request.strategies.contains("striped") ? "  stripes     \(request.stripes)" : nil
            case .writers:
                "  writers     \(request.effectiveWriters) insert/remove, \(request.threads - request.effectiveWriters) check-then-act"
            case .distribution, .seed, .timeout: nil
            }
        }
    }
}
