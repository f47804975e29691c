import RaceLab

// The racy counter, until its check fails (at most 10 s); the fixed one, 20 runs; the
// fixed one with every worker on one CPU, where no race can show.
print("as is:   \(try stress(isFixed: false, runs: .untilFailure(within: .seconds(10))))")
print("fixed:   \(try stress(isFixed: true, runs: .exactly(20)))")
print("one CPU: \(try oneCPU())")
