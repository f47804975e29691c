import RaceLab
import RaceLabCommandLine
import RaceLabExplore
import RaceLabModel
import RaceLabReport
import RaceLabScenarios

/// What `racelab explore` prints: a table of every strategy explored, then each first
/// failure as a story (what failed, the schedule string, the timeline, the replay
/// command); or the same as one JSON document. Nothing in it depends on the machine or
/// the time, so a run prints the same on one CPU as on many.
enum ExploreOutput {
    static func text(_ explored: [ExploredStrategy], request: ExploreRequest) -> String {
        var lines = [
            "racelab explore: \(shape(request))\(producers(explored)); \(explorerLine(request))",
            "",
        ]
        var table = TextTable(
            ["scenario", "strategy", "result", "schedules", "failed", "cut short", "covers"].map {
                TextTable.Column(title: $0, isNumeric: ["schedules", "failed", "cut short"].contains($0))
            })
        for entry in explored {
            table.append([
                entry.scenario, entry.model.name, verdict(entry), Format.grouped(entry.report.explored),
                Format.grouped(entry.report.failed), Format.grouped(entry.report.pruned),
                entry.report.scope
                    + (request.firstFailure && entry.report.firstFailure != nil ? ", up to the first failure" : ""),
            ])
        }
        lines.append(table.render())
        lines.append("")
        let schedule = "A schedule is one order of the workers' operations."
        if request.explorer == .exhaustive {
            lines.append(schedule + " \"every schedule\" is a proof for")
            lines.append("this program (\(shape(request))), not for more workers or operations.")
        } else {
            lines.append(schedule + " These are samples: a pass is evidence,")
            lines.append("not a proof; the exhaustive explorer (the default) checks every schedule.")
        }
        if explored.contains(where: \.model.isAsync) {
            lines.append("An actor strategy's workers are tasks, and its steps are jobs: a task's start or")
            lines.append("resumption, on an actor or not; a preemption runs a job ahead of an older one.")
        }
        if explored.contains(where: \.report.isPruned) {
            lines.append("Up to reordering independent steps: a schedule that only swaps steps on different")
            lines.append("objects (or two reads) of one already explored is skipped, as it ends the same (sleep")
            lines.append("sets); \"cut short\" counts those started before the search saw it. --no-pruning runs")
            lines.append("every interleaving.")
        }
        for entry in explored {
            guard let failure = entry.report.firstFailure else { continue }
            lines.append("")
            lines += story(failure, scenario: entry.scenario, model: entry.model, request: request)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "FAILS" / "passes", and a word when it is not what the strategy should do.
    static func verdict(_ entry: ExploredStrategy) -> String {
        switch (entry.report.passed, entry.model.isExpectedSafe) {
        case (false, false): "FAILS"
        case (true, true): "passes"
        case (false, true): "FAILS (a safe strategy!)"
        case (true, false): "passes (unsafe: no failing schedule found)"
        }
    }

    static func shape(_ request: ExploreRequest) -> String {
        "\(request.threads.counted("worker")) x \(request.operations.counted("operation"))"
    }

    /// The strategies whose program has a producer besides the workers, said once.
    static func producers(_ explored: [ExploredStrategy]) -> String {
        let names = explored.filter(\.model.hasProducer).map { "\($0.scenario) \($0.model.name)" }
        return names.isEmpty ? "" : " (\(names.joined(separator: ", ")): and a producer, worker 0)"
    }

    static func explorerLine(_ request: ExploreRequest) -> String {
        let schedules = request.scheduleCount.counted("schedule")
        switch request.explorer {
        case .exhaustive:
            let bound =
                (request.preemptions.map { "at most \($0.counted("preemption"))" } ?? "every schedule")
                + (request.schedules.map { ", at most \($0.counted("schedule")) per strategy" } ?? "")
            return request.firstFailure
                ? "exhaustive, depth-first, the preemption bound raised from 0 (\(bound)), up to the first failure"
                : "exhaustive, depth-first, \(bound); a failure shown has the fewest preemptions"
        case .random: return "random, \(schedules) per strategy, seed \(request.seed)"
        case .pct: return "PCT depth \(request.depth), \(schedules) per strategy, seed \(request.seed)"
        }
    }

    /// The failure, the schedule, the timeline indented, and the command that replays it.
    static func story(
        _ schedule: ExploreSchedule, scenario: String, model: ExploreStrategyModel, request: ExploreRequest
    ) -> [String] {
        let preemptions = schedule.preemptions.counted("preemption")
        var lines = [
            "\(scenario) \(model.name) (\(model.summary)):",
            "  " + schedule.verdict,
            "  schedule \"\(schedule.string)\": \(schedule.choices.count) steps, \(preemptions)",
        ]
        lines += schedule.timeline.split(separator: "\n").map { "  " + $0 }
        lines.append("  replay: " + replayCommand(schedule.string, scenario: scenario, model: model, request: request))
        return lines
    }

    static func replayCommand(
        _ schedule: String, scenario: String, model: ExploreStrategyModel, request: ExploreRequest
    )
        -> String
    {
        var parts = ["racelab explore", scenario, "--strategy", model.name]
        let defaults = ExploreRequest.defaults
        if request.threads != defaults.threads { parts += ["--threads", String(request.threads)] }
        if request.operations != defaults.operations { parts += ["--operations", String(request.operations)] }
        if let maxSteps = request.maxSteps { parts += ["--max-steps", String(maxSteps)] }
        return (parts + ["--replay", schedule]).joined(separator: " ")
    }

    static func replayText(
        _ replayed: ExploreSchedule, _ scenario: String, _ model: ExploreStrategyModel, request: ExploreRequest
    ) -> String {
        var lines = ["racelab explore: \(shape(request)); replaying one schedule", ""]
        lines += story(replayed, scenario: scenario, model: model, request: request).dropLast()
        if let mismatch = replayed.mismatch { lines.append("  REPLAY STOPPED: \(mismatch)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line on stderr for --check.
    static func checkSummary(_ explored: [ExploredStrategy]) -> String {
        let unexpected = explored.filter { !$0.isAsExpected }
        guard !unexpected.isEmpty else {
            let safe = explored.filter(\.model.isExpectedSafe).count
            let unsafe = explored.count - safe
            return "racelab explore --check: passed: \(safe) safe \(safe == 1 ? "strategy" : "strategies")"
                + " passed every schedule explored, \(unsafe) unsafe \(unsafe == 1 ? "one" : "ones") failed"
        }
        let names = unexpected.map { entry in
            "\(entry.scenario) \(entry.model.name) " + (entry.model.isExpectedSafe ? "failed" : "passed")
        }
        return "racelab explore --check: FAILED: " + names.joined(separator: "; ")
    }

    // MARK: JSON

    struct Document: Encodable {
        let schemaVersion = 1
        let tool = "racelab"
        let command = "explore"
        let threads: Int
        let operations: Int
        let explorer: String
        let preemptionBound: Int?
        let schedules: Int?
        let seed: UInt64?
        let depth: Int?
        let maxSteps: Int
        let firstFailureOnly: Bool
        let pruning: Bool
        let check: Check?
        let strategies: [Strategy]
    }

    struct Check: Encodable {
        let passed: Bool
        let unexpected: [String]
    }

    struct Strategy: Encodable {
        let scenario: String
        let strategy: String
        let expectedSafe: Bool
        let summary: String
        let passed: Bool
        let asExpected: Bool
        let schedules: Int
        let failed: Int
        /// The search skipped equivalent schedules (sleep sets); `cutShort` counts those it
        /// had started.
        let sleepSets: Bool
        let cutShort: Int
        let finished: Bool
        let coverage: String
        let preemptionsCovered: Int?
        let covers: String
        let pctProbabilityPerSchedule: Double?
        let firstFailure: Schedule?
    }

    struct Schedule: Encodable {
        let failure: String?
        let kind: String?
        let schedule: String
        let preemptions: Int
        let mismatch: String?
        let replay: String
        let steps: [Step]
    }

    struct Step: Encodable {
        let step: Int
        let thread: Int
        let operation: String
    }

    static func json(_ explored: [ExploredStrategy], request: ExploreRequest, check: Bool) -> String {
        let unexpected = explored.filter { !$0.isAsExpected }.map { "\($0.scenario) \($0.model.name)" }
        let document = Document(
            threads: request.threads, operations: request.operations, explorer: request.explorer.rawValue,
            preemptionBound: request.explorer == .exhaustive ? request.preemptions : nil,
            schedules: request.scheduleCount,
            seed: request.explorer == .exhaustive ? nil : request.seed,
            depth: request.explorer == .pct ? request.depth : nil, maxSteps: request.stepLimit,
            firstFailureOnly: request.firstFailure, pruning: request.pruning,
            check: check ? Check(passed: unexpected.isEmpty, unexpected: unexpected) : nil,
            strategies: explored.map { entry in
                let (kind, covered): (String, Int?) =
                    switch entry.report.coverage {
                    case .every: ("every", nil)
                    case .preemptions(let bound): ("preemptions", bound)
                    case .sampled: ("sampled", nil)
                    case .partial(let covered, _): ("partial", covered)
                    }
                return Strategy(
                    scenario: entry.scenario, strategy: entry.model.name, expectedSafe: entry.model.isExpectedSafe,
                    summary: entry.model.summary, passed: entry.report.passed, asExpected: entry.isAsExpected,
                    schedules: entry.report.explored, failed: entry.report.failed, sleepSets: entry.report.isPruned,
                    cutShort: entry.report.pruned,
                    finished: entry.report.isFinished,
                    coverage: kind, preemptionsCovered: covered, covers: entry.report.scope,
                    pctProbabilityPerSchedule: entry.report.pctBound,
                    firstFailure: entry.report.firstFailure.map {
                        schedule($0, scenario: entry.scenario, model: entry.model, request: request)
                    })
            })
        return JSONText.pretty(document)
    }

    static func replayJSON(
        _ replayed: ExploreSchedule, _ scenario: String, _ model: ExploreStrategyModel, request: ExploreRequest
    ) -> String {
        struct Replay: Encodable {
            let schemaVersion = 1
            let tool = "racelab"
            let command = "explore --replay"
            let scenario: String
            let strategy: String
            let expectedSafe: Bool
            let threads: Int
            let operations: Int
            let matched: Bool
            let result: Schedule
        }
        return JSONText.pretty(
            Replay(
                scenario: scenario, strategy: model.name, expectedSafe: model.isExpectedSafe, threads: request.threads,
                operations: request.operations, matched: replayed.mismatch == nil,
                result: schedule(replayed, scenario: scenario, model: model, request: request)))
    }

    static func schedule(
        _ schedule: ExploreSchedule, scenario: String, model: ExploreStrategyModel, request: ExploreRequest
    ) -> Schedule {
        let kind: String? =
            switch schedule.failure {
            case .check?: "check"
            case .thrown?: "thrown"
            case .deadlock?: "deadlock"
            case .misuse?: "misuse"
            case .makeThrew?: "make"
            case .tooManySteps?: "too-many-steps"
            case .escaped?: "escaped"
            case nil: nil
            }
        return Schedule(
            failure: schedule.failure?.description, kind: kind, schedule: schedule.string,
            preemptions: schedule.preemptions, mismatch: schedule.mismatch,
            replay: replayCommand(schedule.string, scenario: scenario, model: model, request: request),
            steps: schedule.events.map { Step(step: $0.step, thread: $0.thread, operation: $0.text) })
    }
}
