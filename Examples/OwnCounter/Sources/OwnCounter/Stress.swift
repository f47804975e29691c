import RaceLab

/// What a user writes first: my type, on racelab's workers (pinned, started
/// together, for a 100 ms window), checked afterwards, judged by racelab's verdict.
/// A free function, not top-level code: a worker's closure made in main.swift would
/// inherit the main actor's isolation.
func stress(isFixed: Bool, workers: Int) throws -> String {
    let counter = HitCounter(isFixed: isFixed)
    let timing = try WorkerPool().run(workers: workers, length: .timed(milliseconds: 100)) { _, budget in
        budget.forEachOperation { counter.hit() }
    }
    let lostHits = AnomalyKind(id: "lost-hits", name: "lost hits")
    let lost = timing.operations - counter.total
    let verdict = Verdict(
        isExpectedSafe: isFixed, anyAnomaly: lost != 0, lacksOverlap: timing.overlapFraction < 0.5)
    let observation = Observation(
        expected: timing.operations, observed: counter.total, operations: timing.operations,
        anomalies: [lostHits.count(lost)], timing: timing)
    let nsPerOp = observation.nsPerOp.map { "\(Int($0)) ns/op" } ?? "-"
    return "\(isFixed ? "fixed" : "as is"): \(verdict.rawValue), \(lost) of \(timing.operations) hits lost,"
        + " \(timing.workersInWindow) workers overlapping \(Int(timing.overlapFraction * 100))% of the window,"
        + " \(nsPerOp)"
}
