import RaceLab
import RaceLabModel

/// `racelab actor-reentrancy`: the race condition Swift 6 cannot stop. An account
/// actor checks the balance, awaits (simulated I/O), then subtracts. Every access
/// is actor-isolated and the compiler is satisfied; the balance still goes below
/// zero, because other calls run at the suspension point.
package enum ActorReentrancyScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let overdrawn = AnomalyKind(id: "overdrawn", name: "overdrawn")
        package static let deepestOverdraft = AnomalyKind(id: "deepest-overdraft", name: "deepest overdraft")
    }

    package static let scenario = Scenario(
        name: "actor-reentrancy",
        summary: "An actor checks, awaits, then acts: reentrancy overdraws it; recheck, or no await between",
        operationName: "withdrawals",
        expectedLabel: "granted",
        observedLabel: "covered",
        countsLegend: "withdrawals granted / granted withdrawals the balance covered",
        anomalies: [Anomalies.overdrawn, Anomalies.deepestOverdraft],
        options: [funds, .work],
        strategies: [
            Strategy(
                name: "unsafe", summary: "check the balance, await, then subtract: other calls run at the await",
                isExpectedSafe: false, runsInChildProcess: true
            ) { request, pool in try run(request, pool) { await $0.withdrawCheckThenAwait(1) } },
            Strategy(
                name: "recheck", summary: "check, await, check again before subtracting", isExpectedSafe: true,
                runsInChildProcess: true
            ) { request, pool in try run(request, pool) { await $0.withdrawRecheck(1) } },
            Strategy(
                name: "no-suspension",
                summary: "await first; the check and the subtraction in one synchronous stretch",
                isExpectedSafe: true, runsInChildProcess: true
            ) { request, pool in try run(request, pool) { await $0.withdrawAfterAwait(1) } },
        ],
        explanation: actorReentrancyExplanation,
        unsupportedBackends: [
            .pthread: "its workers await an actor, which needs tasks; it runs on --backend tasks",
            .dispatch: "its workers await an actor, which needs tasks; it runs on --backend tasks",
        ])

    static let defaultFunds = 10

    /// `--funds N`: the balance an account starts with, and is refilled to when a
    /// withdrawal is refused.
    static let funds = ScenarioOption(
        name: "funds", values: .integer(1...1_000_000), default: .integer(defaultFunds),
        help: "The account's balance, refilled to this whenever a withdrawal is refused, 1 to 1,000,000.",
        headerLine: { funds in
            "  account     \(funds.integer) to start, refilled when a withdrawal is refused; withdrawals of 1"
        },
        brief: { funds in "funds \(funds.integer)" })

    /// One run: every worker is a child task that withdraws 1 as long as its budget
    /// lasts. Every strategy runs in a child process, whose main thread waits for the
    /// task group (never a thread of the cooperative pool it needs). Afterwards: withdrawals granted, and those that overdrew the account.
    static func run(
        _ request: Request, _ pool: WorkerPool,
        withdraw: @escaping @Sendable (AccountActor) async -> Bool
    ) throws -> Observation {
        let account = AccountActor(funds: request.integer(funds), work: request.integer(.work))
        let granted = PerWorker(count: request.threads, 0)
        let timing = try pool.runAsync(workers: request.threads, length: request.length) { worker, budget in
            var count = 0
            await budget.forEachOperation { if await withdraw(account) { count += 1 } }
            granted[worker] = count
        }
        let (overdrawn, deepest) = Blocking.wait { await (account.overdrawn, account.deepest) }
        let total = (0..<request.threads).reduce(0) { $0 + granted[$1] }
        return Observation(
            expected: total, observed: total - overdrawn, operations: timing.operations,
            anomalies: [Anomalies.overdrawn.count(overdrawn), Anomalies.deepestOverdraft.count(-deepest)],
            timing: timing)
    }
}

private let actorReentrancyExplanation = """
    THE RACE
      An actor runs one call at a time, so its state is safe from data races:
      the Swift 6 compiler checks that. But a call that awaits in the middle
      gives the actor up at that suspension point, and another call runs:

        task 0                        task 1
        --------------------------    --------------------------
        withdraw(1)
          balance >= 1?   -> 1, yes
          await fetchRate()  ~~~ suspended, actor free ~~~
                                      withdraw(1)
                                        balance >= 1?   -> 1, yes
                                        await fetchRate()  ~~~
          balance -= 1    -> 0
                                        balance -= 1    -> -1

      Both withdrawals were granted against one unit of funds: the account is
      overdrawn, with no data race and no compiler warning. This is actor
      reentrancy, the race condition Swift 6 cannot stop. racelab's account
      awaits a Task.yield() between the check and the act (--work spins before
      it, like preparing a request); the balance starts at --funds and is
      refilled whenever a withdrawal is refused.

    THE FIXES
      recheck        After the await, check again: the state may have changed
                     while the actor was given up. A withdrawal that no longer
                     fits is refused.
      no-suspension  Do the awaiting first, then check and act in one
                     synchronous stretch of the actor, with no await between:
                     nothing else can run in the middle.

    THE SECOND SHAPE
      A cache actor that awaits its fetch: callers that miss while the fetch is
      in flight fetch again, and the slower fetch overwrites the value the first
      one handed out. `racelab actor-cache` runs it, with the fix (share one
      in-flight Task per key).
    """
