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

    /// The scenario settings that shape a result, short, for a chart's subtitle:
    /// "64 keys (zipf)", "50% lookups", "--work 50". Settings at their defaults that
    /// do not change the picture are left out.
    func settingsSummary(_ request: Request) -> [String] {
        options.compactMap { option in
            switch option {
            case .work: request.work > 0 ? "--work \(request.work)" : nil
            case .keys: "\(Format.grouped(request.keys)) keys (\(request.distribution.rawValue))"
            case .seed: request.seed != 42 ? "seed \(request.seed)" : nil
            case .readRatio: request.readRatio > 0 ? "\(request.readRatio)% lookups" : nil
            case .stripes: request.strategies.contains("striped") ? "\(request.stripes) stripes" : nil
            case .writers: request.writers.map { "\($0) writers" } ?? "half the workers write"
            case .distribution, .timeout: nil
            }
        }
    }
}
