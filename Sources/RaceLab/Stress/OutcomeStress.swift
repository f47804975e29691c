import CRaceLabShims
import Synchronization

/// Graded outcomes, jcstress's shape in Swift: a fresh state per sample, two to four
/// workers that each run once on it, on threads of their own, and an arbiter that reads
/// what they left into an outcome (any `Hashable` value). You declare which outcomes are
/// acceptable, interesting or forbidden; the report is the histogram, and a forbidden
/// outcome (or one you did not declare) fails.
///
///     let report = try OutcomeStress(samples: 1_000_000).run(expecting: [
///         .acceptable([Pair(0, 1), Pair(1, 0), Pair(1, 1)], "an interleaving of the two threads"),
///         .interesting([Pair(0, 0)], "both loads ran before either store was visible"),
///     ]) {
///         StoreBuffering()
///     } worker: { $0.storeXLoadY() } worker: { $0.storeYLoadX() } arbiter: { $0.outcome }
///     print(report)
///
/// How it samples: the workers run on pinned pthreads, one per worker, over a *stride* of
/// fresh states between two barriers (jcstress's strides): worker i calls its closure
/// on state 0, 1, 2, ... of the stride, all workers released at one start time on the
/// CPUs' timebase, so they walk the stride side by side and meet on each state within
/// nanoseconds. After the stride every thread grades and replaces its share of the
/// states. A barrier per stride, not per sample, is what makes it fast.
///
/// The state is a class (the workers share it), `Sendable`: `Atomic` fields, or
/// `@unchecked Sendable` with the invariant written down. A worker writes what it saw
/// into the state; the arbiter runs after every worker finished the stride (the barrier
/// orders their writes before it).
public struct OutcomeStress: Sendable {
    /// Samples to take (each a fresh state every worker ran on once).
    public var samples: Int
    /// States per stride: samples between two barriers.
    public var stride: Int
    /// The CPUs the workers are pinned to, worker i on `cpus.cpu(forWorker: i)`.
    public var cpus: CPUSet
    /// Pin the workers' threads (the default).
    public var isPinned: Bool
    /// How the workers are started together: once per stride (the default, fast), or
    /// before every sample (slower, and the most reorderings per sample).
    public var start: Start
    /// Stop after the first stride past this time, whatever `samples` says: with more
    /// workers than CPUs each barrier waits for a time slice. The report counts the
    /// samples that ran.
    public var timeLimit: Duration

    /// A time limit that never stops a test (a billion seconds).
    package static let noTimeLimit = Duration.seconds(1_000_000_000)

    /// How far ahead of the barrier's release the shared start time is set: long enough
    /// for the go to reach every worker (a cache-line transfer, 100 ns or more).
    package static let leadNanoseconds = 300.0

    /// Counts finished strides as they finish, for a watchdog (RaceLabTesting's).
    package var progress: OutcomeProgress?

    /// When the workers are released together at a shared start time.
    public enum Start: String, Sendable {
        /// Once per stride; then each worker walks the stride's states in order, the
        /// workers side by side. A barrier per stride, not per sample: the fast way.
        case perStride
        /// Before every sample (litmus7's timebase mode): a spinning barrier and a
        /// start time per sample. Several times slower per sample; on x86-64 it shows
        /// store buffering in the most samples (racelab litmus runs this way).
        case perSample
    }

    /// A test of `samples` samples in strides of `stride` states.
    public init(
        samples: Int = 1_000_000, stride: Int = 128, start: Start = .perStride, cpus: CPUSet = .current(),
        isPinned: Bool = true, timeLimit: Duration = .seconds(10)
    ) {
        self.samples = samples
        self.stride = stride
        self.start = start
        self.cpus = cpus
        self.isPinned = isPinned
        self.timeLimit = timeLimit
    }

    /// Runs two workers on every sample of a fresh `make()` and grades `arbiter`'s outcomes.
    public func run<State: AnyObject & Sendable, Outcome: Hashable & Sendable>(
        expecting expectations: [OutcomeExpectation<Outcome>],
        _ make: @escaping @Sendable () -> State,
        worker first: @escaping @Sendable (State) -> Void,
        worker second: @escaping @Sendable (State) -> Void,
        arbiter: @escaping @Sendable (State) -> Outcome
    ) throws(RaceLabError) -> OutcomeReport<Outcome> {
        try run(expecting: expectations, make: make, workers: [first, second], arbiter: arbiter)
    }

    /// Three workers: see `run(expecting:_:worker:worker:arbiter:)`.
    public func run<State: AnyObject & Sendable, Outcome: Hashable & Sendable>(
        expecting expectations: [OutcomeExpectation<Outcome>],
        _ make: @escaping @Sendable () -> State,
        worker first: @escaping @Sendable (State) -> Void,
        worker second: @escaping @Sendable (State) -> Void,
        worker third: @escaping @Sendable (State) -> Void,
        arbiter: @escaping @Sendable (State) -> Outcome
    ) throws(RaceLabError) -> OutcomeReport<Outcome> {
        try run(expecting: expectations, make: make, workers: [first, second, third], arbiter: arbiter)
    }

    /// Four workers: see `run(expecting:_:worker:worker:arbiter:)`.
    public func run<State: AnyObject & Sendable, Outcome: Hashable & Sendable>(
        expecting expectations: [OutcomeExpectation<Outcome>],
        _ make: @escaping @Sendable () -> State,
        worker first: @escaping @Sendable (State) -> Void,
        worker second: @escaping @Sendable (State) -> Void,
        worker third: @escaping @Sendable (State) -> Void,
        worker fourth: @escaping @Sendable (State) -> Void,
        arbiter: @escaping @Sendable (State) -> Outcome
    ) throws(RaceLabError) -> OutcomeReport<Outcome> {
        try run(expecting: expectations, make: make, workers: [first, second, third, fourth], arbiter: arbiter)
    }

    /// Any number of workers from 1 (a single worker races nothing, but the harness runs it).
    /// Throws when the system refuses a thread.
    public func run<State: AnyObject & Sendable, Outcome: Hashable & Sendable>(
        expecting expectations: [OutcomeExpectation<Outcome>],
        make: @escaping @Sendable () -> State,
        workers: [@Sendable (State) -> Void],
        arbiter: @escaping @Sendable (State) -> Outcome
    ) throws(RaceLabError) -> OutcomeReport<Outcome> {
        try validate(workers: workers.count)
        var declared = Set<Outcome>()
        for outcome in expectations.flatMap(\.outcomes) {
            try RaceLabError.require(
                declared.insert(outcome).inserted, "OutcomeStress.run(expecting: outcome \(outcome) declared twice)",
                accepted: "each outcome declared once, with one grade")
        }
        let threads = workers.count
        let isSharing = threads > cpus.count
        let gate = IterationGate(threads: threads, isSharingCPUs: isSharing, leadNanoseconds: Self.leadNanoseconds)
        let stride = max(1, min(stride, samples))
        let states = SampleStates(count: stride, make)
        let spans = PaddedAtomicSlots(count: 2 * threads)
        let tallies = Mutex<[[Outcome: Int]]>(Array(repeating: [:], count: threads))
        let overlapped = Atomic<Int>(0)
        let strides = Atomic<Int>(0)
        let sink = Atomic<Int>(0)
        let cpuNanoseconds = Atomic<Int>(0)
        let samples = self.samples
        let progress = self.progress
        let isPerSample = start == .perSample
        let cpus = isPinned ? cpus : nil
        let started = MonotonicClock.now()
        let limitSeconds = timeLimit.seconds
        let deadline = limitSeconds < 1e9 ? started &+ UInt64(limitSeconds * 1e9) : UInt64.max
        var spawned: [PThread] = []
        for t in 0..<threads {
            let worker = workers[t]
            let loop: @Sendable () -> Void = {
                if let cpus { _ = racelab_pin_current_thread(cpus.cpu(forWorker: t)) }
                var usageAtStart = racelab_thread_usage_t()
                _ = racelab_thread_usage(&usageAtStart)
                defer {
                    var usage = racelab_thread_usage_t()
                    _ = racelab_thread_usage(&usage)
                    cpuNanoseconds.add(Int(usage.cpu_nanoseconds - usageAtStart.cpu_nanoseconds), ordering: .relaxed)
                }
                var tally: [Outcome: Int] = [:]
                var generation = 0
                var touched = 0
                var done = 0
                while done < samples {
                    let count = Swift.min(stride, samples - done)
                    generation += 1
                    guard gate.pass(thread: t, generation: generation, isTimed: !isPerSample) else { return }
                    let begin = racelab_timebase()
                    if isPerSample {
                        // litmus7's timebase mode: every sample starts at a shared time.
                        for j in 0..<count {
                            touched &+= states.touch(j)
                            generation += 1
                            guard gate.pass(thread: t, generation: generation, isTimed: true) else { return }
                            states.with(j, worker)
                        }
                    } else {
                        for j in 0..<count { states.with(j, worker) }
                    }
                    spans[2 * t].pointee.store(Int(truncatingIfNeeded: begin), ordering: .relaxed)
                    spans[2 * t + 1].pointee.store(Int(truncatingIfNeeded: racelab_timebase()), ordering: .relaxed)
                    // The leader's stop request before the pass, so every thread reads the same answer after it.
                    if t == 0 && MonotonicClock.now() > deadline { gate.requestStop() }
                    generation += 1
                    guard gate.pass(thread: t, generation: generation, isTimed: false) else { return }
                    if t == 0 {
                        if Self.allOverlapped(spans, threads: threads) { overlapped.add(1, ordering: .relaxed) }
                        strides.add(1, ordering: .relaxed)
                        progress?.strides.add(1, ordering: .relaxed)
                    }
                    let isStopping = gate.isStopRequested
                    // Each thread grades and renews every threads-th state of the stride.
                    // No fresh states after the last stride: a make() with side effects
                    // is called once per sample taken and stride - 1 more at most.
                    let isLast = isStopping || done + count >= samples
                    var j = t
                    while j < count {
                        tally[states.with(j, arbiter), default: 0] += 1
                        if !isLast { states.renew(j, make) }
                        j += threads
                    }
                    done += count
                    if isStopping { break }
                }
                tallies.withLock { $0[t] = tally }
                sink.wrappingAdd(touched, ordering: .relaxed)
            }
            switch PThread.spawn(loop) {
            case .success(let thread): spawned.append(thread)
            case .failure(let error):
                gate.abandon()
                for thread in spawned { thread.join() }
                throw RaceLabError.threadCreationFailed(worker: t, code: error.code)
            }
        }
        for thread in spawned { thread.join() }
        let elapsed = MonotonicClock.now() - started
        var counts: [Outcome: Int] = [:]
        for tally in tallies.withLock({ $0 }) { counts.merge(tally, uniquingKeysWith: +) }
        return OutcomeReport(
            counts: counts, expectations: expectations, requestedSamples: samples, elapsedNanoseconds: elapsed,
            workers: threads, strides: strides.load(ordering: .relaxed),
            overlappedStrides: overlapped.load(ordering: .relaxed),
            parallelism: elapsed > 0 ? Double(cpuNanoseconds.load(ordering: .relaxed)) / Double(elapsed) : 0)
    }

    /// Refuses what cannot run, in a sentence naming the argument (never a trap).
    package func validate(workers: Int) throws(RaceLabError) {
        try RaceLabError.require(
            workers >= 1 && workers <= Limits.maxWorkers, "OutcomeStress.run(workers: \(workers) closures)",
            accepted: "1 to \(Limits.maxWorkers.grouped) workers")
        try RaceLabError.require(
            samples >= 1, "OutcomeStress(samples: \(samples.grouped))", accepted: "1 or more samples")
        try RaceLabError.require(
            stride >= 1, "OutcomeStress(stride: \(stride))", accepted: "1 or more states per stride")
        try RaceLabError.require(
            timeLimit > .zero, "OutcomeStress(timeLimit: \(timeLimit))", accepted: "a time limit above zero")
        try RaceLabError.require(
            !cpus.ids.isEmpty && cpus.ids.allSatisfy { $0 >= 0 }, "OutcomeStress(cpus: CPUSet(ids: \(cpus.ids)))",
            accepted: "one or more CPU ids, each 0 or more")
    }

    /// Whether every worker's span of the last stride overlapped every other's: the
    /// latest start came before the earliest end.
    private static func allOverlapped(_ spans: PaddedAtomicSlots, threads: Int) -> Bool {
        var latestStart = Int.min
        var earliestEnd = Int.max
        for t in 0..<threads {
            latestStart = max(latestStart, spans[2 * t].pointee.load(ordering: .relaxed))
            earliestEnd = min(earliestEnd, spans[2 * t + 1].pointee.load(ordering: .relaxed))
        }
        return threads > 1 && latestStart < earliestEnd
    }
}

/// Strides finished so far by a running `OutcomeStress`: what a watchdog watches.
package final class OutcomeProgress: Sendable {
    package let strides = Atomic<Int>(0)
    package init() {}
}

/// A stride's states, each held by one retain of its own. `@unchecked Sendable`: slot j
/// is replaced only by the thread that grades it (j mod threads), between the barrier
/// after the workers' pass and the timed barrier before the next; the workers only read
/// slots, between those barriers the other way round. The barriers' release/acquire
/// pairs order every replacement before every read.
private final class SampleStates<State: AnyObject>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Unmanaged<State>>
    /// The size of each state's heap block, for `touch`; written with its slot.
    private let usableBytes: UnsafeMutablePointer<Int>
    private let count: Int

    init(count: Int, _ make: () -> State) {
        self.count = count
        slots = .allocate(capacity: count)
        usableBytes = .allocate(capacity: count)
        for j in 0..<count {
            let state = Unmanaged.passRetained(make())
            (slots + j).initialize(to: state)
            (usableBytes + j).initialize(to: racelab_usable_size(state.toOpaque()))
        }
    }

    deinit {
        for j in 0..<count { slots[j].release() }
        slots.deallocate()
        usableBytes.deallocate()
    }

    /// `body(state j)` with no retain and release around it: their locked instructions,
    /// on the state's own cache line, would drain the store buffer before every sample
    /// and bounce the line between the workers, hiding exactly what the test looks for.
    @inline(__always)
    func with<R>(_ j: Int, _ body: (State) -> R) -> R {
        slots[j]._withUnsafeGuaranteedRef(body)
    }

    /// Reads state j's first 64 bytes (as much of them as its heap block holds), so that
    /// every worker's cache holds a shared copy before the sample starts (litmus7's
    /// prefetch, `.perSample` only): a load then hits at once while a store must wait
    /// for the other copies to be invalidated, the window in which a reordering shows.
    /// (Before a whole stride it cost store buffering about a third of its weak
    /// outcomes here: 10 runs, median 8.8% with it, 12.6% without.) Plain reads of memory
    /// nobody writes between the barriers around them, never past the state's own
    /// block. Returns a value for the caller to keep, so the reads stay.
    @inline(__always)
    func touch(_ j: Int) -> Int {
        let raw = UnsafeRawPointer(slots[j].toOpaque())
        let usable = usableBytes[j]
        var sum = 0
        if usable >= 24 { sum &+= Int(truncatingIfNeeded: raw.load(fromByteOffset: 16, as: UInt64.self)) }
        if usable >= 64 { sum &+= Int(truncatingIfNeeded: raw.load(fromByteOffset: 56, as: UInt64.self)) }
        return sum
    }

    /// Replaces state j by a fresh one.
    @inline(__always)
    func renew(_ j: Int, _ make: () -> State) {
        let old = slots[j]
        slots[j] = .passRetained(make())
        usableBytes[j] = racelab_usable_size(slots[j].toOpaque())
        old.release()
    }
}

/// What an outcome means: acceptable, interesting (allowed, and what the test is
/// looking for) or forbidden.
public enum OutcomeGrade: String, Sendable, Codable, CaseIterable {
    /// Allowed, and unremarkable: some interleaving of the workers gives it.
    case acceptable
    /// Allowed but remarkable: the reordering or race the test is about.
    case interesting
    /// Must never happen: seeing it once fails the test.
    case forbidden
}

/// A declared grade for some outcomes, with what they mean.
///
///     .acceptable([Pair(0, 1), Pair(1, 0)], "one thread ran first")
public struct OutcomeExpectation<Outcome: Hashable & Sendable>: Sendable {
    /// The outcomes this grade covers.
    public let outcomes: [Outcome]
    /// Their grade.
    public let grade: OutcomeGrade
    /// What they mean, for the report.
    public let meaning: String

    /// Outcomes of `grade` meaning `meaning`.
    public init(_ outcomes: [Outcome], _ grade: OutcomeGrade, _ meaning: String) {
        self.outcomes = outcomes
        self.grade = grade
        self.meaning = meaning
    }

    /// Acceptable outcomes.
    public static func acceptable(_ outcomes: [Outcome], _ meaning: String) -> Self {
        Self(outcomes, .acceptable, meaning)
    }

    /// Interesting outcomes: allowed, and what the test is looking for.
    public static func interesting(_ outcomes: [Outcome], _ meaning: String) -> Self {
        Self(outcomes, .interesting, meaning)
    }

    /// Forbidden outcomes, named so the report lists them (at 0 when they never showed).
    /// An outcome nobody declared is forbidden too.
    public static func forbidden(_ outcomes: [Outcome], _ meaning: String) -> Self {
        Self(outcomes, .forbidden, meaning)
    }
}

/// An outcome test's histogram: how often each outcome showed, its share and grade.
public struct OutcomeReport<Outcome: Hashable & Sendable>: Sendable, CustomStringConvertible {
    /// One outcome of the histogram.
    public struct Row: Sendable {
        /// The arbiter's value.
        public let outcome: Outcome
        /// Samples that ended in it.
        public let count: Int
        /// `count` / all samples (0...1).
        public let share: Double
        /// Its declared grade; `.forbidden` when undeclared.
        public let grade: OutcomeGrade
        /// The declaration's meaning, or "not declared" for an outcome nobody expected.
        public let meaning: String
    }

    /// Every declared outcome in declaration order (those that never showed at 0), then
    /// the undeclared ones that showed, most frequent first.
    public let rows: [Row]
    /// Samples taken: fewer than asked when the time limit stopped the test.
    public let samples: Int
    /// Samples asked for; `samples < requestedSamples` when the time limit stopped it.
    public let requestedSamples: Int
    /// From the threads' creation to their end.
    public let elapsedNanoseconds: UInt64
    /// Workers per sample.
    public let workers: Int
    /// Strides run, and those in which every worker's pass over the stride overlapped
    /// every other's in time: the evidence that the workers really ran together.
    public let strides: Int
    /// See `strides`.
    public let overlappedStrides: Int
    /// The workers' threads' CPU time over the wall time: how many ran at once, on
    /// average (about 2 for two workers on two CPUs; at most 1 on one CPU, where spans
    /// may still overlap when a thread is preempted mid-stride).
    public let parallelism: Double

    init(
        counts: [Outcome: Int], expectations: [OutcomeExpectation<Outcome>], requestedSamples: Int,
        elapsedNanoseconds: UInt64,
        workers: Int, strides: Int, overlappedStrides: Int, parallelism: Double
    ) {
        let total = counts.values.reduce(0, +)
        var rows: [Row] = []
        var listed = Set<Outcome>()
        for expectation in expectations {
            for outcome in expectation.outcomes where listed.insert(outcome).inserted {
                let count = counts[outcome] ?? 0
                rows.append(
                    Row(
                        outcome: outcome, count: count, share: total > 0 ? Double(count) / Double(total) : 0,
                        grade: expectation.grade, meaning: expectation.meaning))
            }
        }
        for (outcome, count) in counts.sorted(by: { $0.value > $1.value }) where !listed.contains(outcome) {
            rows.append(
                Row(
                    outcome: outcome, count: count, share: Double(count) / Double(max(1, total)),
                    grade: .forbidden, meaning: "not declared"))
        }
        self.rows = rows
        self.samples = total
        self.requestedSamples = requestedSamples
        self.elapsedNanoseconds = elapsedNanoseconds
        self.workers = workers
        self.strides = strides
        self.overlappedStrides = overlappedStrides
        self.parallelism = parallelism
    }

    /// Samples per second, all threads together.
    public var samplesPerSecond: Double {
        elapsedNanoseconds > 0 ? Double(samples) / (Double(elapsedNanoseconds) / 1e9) : 0
    }

    /// Samples that ended in an outcome of `grade`.
    public func count(_ grade: OutcomeGrade) -> Int {
        rows.filter { $0.grade == grade }.reduce(0) { $0 + $1.count }
    }

    /// The forbidden outcomes that showed (declared or not).
    public var forbiddenSeen: [Row] { rows.filter { $0.grade == .forbidden && $0.count > 0 } }

    /// The share of strides in which the workers really ran at the same time (0...1).
    public var overlapShare: Double { strides > 0 ? Double(overlappedStrides) / Double(strides) : 0 }

    /// `.broken` when a forbidden outcome showed; `.heldWeak` when none did but the
    /// workers never ran together (fewer than 1 stride in 10 overlapped, or their threads
    /// took turns: one CPU, `taskset -c 0`), which shows nothing; `.held` otherwise.
    public var verdict: Verdict {
        if !forbiddenSeen.isEmpty { return .broken }
        return weakEvidence == nil ? .held : .heldWeak
    }

    /// Why the samples are weak evidence, in words, or nil when the workers ran together.
    public var weakEvidence: String? {
        guard workers > 1 else { return "one worker races nothing" }
        if overlapShare < Verdict.minimumOverlap {
            return "the workers never ran at the same time (overlapped in \(Self.percent(overlapShare)) of strides)"
        }
        if parallelism < Verdict.minimumParallelism {
            return "the workers took turns on the CPUs (\((parallelism * 100).rounded() / 100) on a CPU at once)"
        }
        return nil
    }

    /// The histogram as a table, then one line with the verdict:
    ///
    ///         count   share  grade        outcome  meaning
    ///       830,112   83.0%  acceptable   (0, 1)   an interleaving
    public var description: String {
        let cells = rows.map { row in
            [
                row.count.grouped, Self.percent(row.share), row.grade.rawValue, "\(row.outcome)", row.meaning,
            ]
        }
        let header = ["count", "share", "grade", "outcome", "meaning"]
        let widths = (0..<header.count).map { column in
            ([header] + cells).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let right = [true, true, false, false, false]
            return cells.indices.map { i in
                let pad = String(repeating: " ", count: widths[i] - cells[i].count)
                return i == cells.count - 1 ? cells[i] : right[i] ? pad + cells[i] : cells[i] + pad
            }.joined(separator: "  ")
        }
        let rate = Int(samplesPerSecond.rounded()).grouped
        let overlap = "workers overlapped in \(Self.percent(overlapShare)) of \(strides.grouped) strides"
        let summary: String
        switch verdict {
        case .broken:
            summary =
                "broken: a forbidden outcome showed in \(count(.forbidden).grouped) of"
                + " \(samples.grouped) samples; \(overlap)"
        case .heldWeak:
            summary =
                "could not show: no forbidden outcome, but \(weakEvidence ?? "the workers did not run together");"
                + " run on 2 or more CPUs"
        default:
            summary =
                "held: no forbidden outcome in \(samples.grouped) samples"
                + " (interesting: \(count(.interesting).grouped)); \(overlap)"
        }
        let stopped =
            samples < requestedSamples
            ? "; stopped at its time limit after \(samples.grouped) of \(requestedSamples.grouped) samples" : ""
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
            + "\n\(summary)\(stopped); \(rate) samples/s"
    }

    private static func percent(_ share: Double) -> String {
        "\((share * 1000).rounded() / 10)%"
    }
}

extension OutcomeStress {
    /// Runs `work` on a thread of its own and awaits it, so a task that runs an outcome
    /// test (which blocks until its workers' threads end) holds no thread of Swift's
    /// cooperative pool meanwhile. For RaceLabTesting.
    package static func offCooperativePool<T: Sendable>(
        _ work: @escaping @Sendable () throws(RaceLabError) -> T
    ) async -> Result<T, RaceLabError> {
        await withCheckedContinuation { continuation in
            let spawned = PThread.spawn {
                do throws(RaceLabError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            switch spawned {
            case .success(let thread): thread.detach()
            case .failure(let error):
                continuation.resume(returning: .failure(.threadCreationFailed(worker: -1, code: error.code)))
            }
        }
    }
}
