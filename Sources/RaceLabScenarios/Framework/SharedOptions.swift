import RaceLab
import RaceLabModel

/// Options more than one scenario declares, written once. A scenario's own options
/// live in its own file.
extension ScenarioOption {
    static let maxWork = 1_000_000
    static let maxKeys = 1_000_000

    /// `--work N`: spin steps inside the racy window (between a read and its
    /// write-back, between a check and its act), to widen it.
    static let work = ScenarioOption(
        name: "work", short: "w", values: .integer(0...maxWork), default: .integer(0),
        help: "Spin steps inside the race window (a read and its write-back, a check and its act),"
            + " 0 to \(maxWork.grouped).",
        headerLine: { work in
            work.integer > 0 ? "  work        \(work.integer) spin steps inside the race window" : nil
        },
        brief: { work in work.integer > 0 ? "--work \(work.integer)" : nil })

    /// `--witness`: the unsafe strategy records every read and the report accounts
    /// for every lost update (the counter, the cache).
    static let witness = ScenarioOption(
        name: "witness", values: .flag, default: .integer(0),
        help: "Record every read of the unsafe strategy (up to 250,000 per worker, fewer above 8 workers) and"
            + " account for every lost update.",
        headerLine: { witness in
            guard witness.integer == 1 else { return nil }
            let request = witness.request
            guard request.strategies.contains(Strategy.unsafeName) else {
                return
                    "  witness     nothing to record: only the unsafe strategy records, and it is not among those run"
            }
            return
                "  witness     unsafe records every read, up to \(witnessReads(request).grouped) per worker (a worker"
                + " stops there); a run without the recording goes first"
        })

    /// The most reads a witnessed run keeps: 32 bytes each, 64 MB in all.
    static let witnessCapacity = 2_000_000

    /// The most operations a worker of a witnessed run makes: what its buffer holds
    /// (at most 250,000), or `--iterations` if fewer.
    static func witnessReads(_ request: Request) -> Int {
        let most = min(250_000, max(1, witnessCapacity / request.threads))
        return min(request.length.iterations ?? most, most)
    }

    /// `--keys N` for a keyed workload; the header line also says how keys are drawn
    /// (`--distribution`, when declared) and the seed.
    static func keys(default keys: Int) -> ScenarioOption {
        ScenarioOption(
            name: "keys", short: "k", values: .integer(1...maxKeys), default: .integer(keys),
            help: "Distinct keys, 1 to \(maxKeys.grouped).",
            headerLine: { keys in
                let drawn = keys.request.settings[distribution.name].map { " (\($0))" } ?? ""
                return "  keys        \(keys.integer) distinct\(drawn), seed \(keys.request.integer(seed))"
            },
            brief: { keys in
                let drawn = keys.request.settings[distribution.name].map { " (\($0))" } ?? ""
                return "\(keys.integer.grouped) keys\(drawn)"
            })
    }

    /// `--distribution uniform|zipf`.
    static let distribution = ScenarioOption(
        name: "distribution", valueName: "<dist>",
        values: .choice(KeyDistribution.allCases.map(\.rawValue)), default: .text(KeyDistribution.uniform.rawValue),
        help: "How keys are drawn: uniform or zipf (a few hot keys).")

    /// `--seed N`: the key sequence, so runs repeat.
    static let seed = ScenarioOption(
        name: "seed", values: .integer(0...Int.max), default: .integer(42),
        help: "Seed of the key sequence, so runs repeat.",
        brief: { seed in seed.isDefault ? nil : "seed \(seed.integer)" })
}

/// How a keyed workload picks its keys.
enum KeyDistribution: String, CaseIterable {
    /// Every key equally likely.
    case uniform
    /// Zipf's law (s = 1): key k is drawn with weight 1/k, a few hot keys.
    case zipf
}
