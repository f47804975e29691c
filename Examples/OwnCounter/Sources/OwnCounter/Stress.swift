import RaceLab

/// What a user writes first: my type on racelab's workers (pinned, started together,
/// 100 ms windows), checked after every run, judged by racelab's rules. A function,
/// not top-level code: a worker's closure made in main.swift would inherit the main
/// actor's isolation.
func stress(isFixed: Bool, runs: StressRuns) throws -> StressReport {
    try Stress(runs: runs).run {
        HitCounter(isFixed: isFixed)
    } body: { counter, _, _ in
        counter.hit()
    } check: { counter, run in
        try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
    }
}

/// The fixed counter with every worker pinned to one CPU: they take turns, so a clean
/// result shows nothing, and the report says so.
func oneCPU() throws -> StressReport {
    let pool = WorkerPool(cpus: CPUSet(ids: [CPUSet.current().ids[0]]))
    return try Stress(workers: 2, runs: .exactly(5), pool: pool).run {
        HitCounter(isFixed: true)
    } body: { counter, _, _ in
        counter.hit()
    } check: { counter, run in
        try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
    }
}
