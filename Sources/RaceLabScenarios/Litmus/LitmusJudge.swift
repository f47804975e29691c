import RaceLab
import RaceLabModel

/// Counts -> a `LitmusRun`: every state with its share and status under the ordering,
/// and the verdict. Pure, so the tests can feed it synthetic counts.
package enum LitmusJudge {
    package static func judge(
        _ test: LitmusTest, ordering: LitmusOrdering, counts: LitmusCounts, iterations requested: Int,
        architecture: LitmusArchitecture = .current
    ) -> LitmusRun {
        // Shares are of the iterations that ran (a shared-CPU run may stop early).
        let iterations = min(requested, counts.completedIterations)
        let observables = test.observables.count
        let names = test.observableNames
        var byKey = counts.byKey
        if byKey.count < LitmusStateKey.capacity(observables: observables) {
            byKey += [Int](repeating: 0, count: LitmusStateKey.capacity(observables: observables) - byKey.count)
        }
        func entry(_ values: [Int]) -> LitmusStateCount {
            let count = byKey[LitmusStateKey.key(values)]
            return LitmusStateCount(
                state: test.describe(values), values: Dictionary(uniqueKeysWithValues: zip(names, values)),
                count: count, share: iterations > 0 ? Double(count) / Double(iterations) : 0,
                status: test.status(of: values, under: ordering), isWeak: values == test.weakState)
        }
        var states = test.declaredStates.map(entry)
        let declaredKeys = Set(test.declaredStates.map(LitmusStateKey.key))
        for key in byKey.indices where byKey[key] > 0 && !declaredKeys.contains(key) {
            states.append(entry(LitmusStateKey.values(of: key, count: observables)))
        }
        let weakStatus = test.weakStatus[ordering] ?? .forbidden
        let weakCount = byKey[LitmusStateKey.key(test.weakState)]
        let forbiddenCount = states.filter { $0.status == .forbidden }.reduce(0) { $0 + $1.count }
        let note = test.hardwareNote(ordering, on: architecture)
        let verdict: LitmusVerdict
        if forbiddenCount > 0 {
            verdict = .forbiddenObserved
        } else if weakStatus == .forbidden {
            verdict = .held
        } else if weakCount > 0 {
            verdict = .observed
        } else if note != nil {
            verdict = .notProducedByThisCPU
        } else if counts.threadsSharedCPUs {
            verdict = .couldNotShow
        } else {
            verdict = .notObserved
        }
        return LitmusRun(
            ordering: ordering, iterations: iterations, requestedIterations: requested,
            elapsedNanoseconds: counts.elapsedNanoseconds,
            threadsSharedCPUs: counts.threadsSharedCPUs, states: states, weakCount: weakCount,
            weakStatus: weakStatus, forbiddenCount: forbiddenCount, verdict: verdict, hardwareNote: note)
    }

    /// A test's result: what it is, and its runs.
    package static func result(_ test: LitmusTest, runs: [LitmusRun]) -> LitmusTestResult {
        LitmusTestResult(
            name: test.name, title: test.title, threads: test.threads,
            program: (0..<test.threads).map(test.listing(thread:)), weakOutcome: test.describe(test.weakState),
            forbiddenFrom: LitmusOrdering.allCases.first { test.weakStatus[$0] == .forbidden },
            isControl: LitmusOrdering.allCases.allSatisfy { test.weakStatus[$0] == .forbidden }, runs: runs)
    }
}
