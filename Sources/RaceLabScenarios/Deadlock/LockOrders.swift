import RaceLab
import RaceLabModel
import RaceLabSync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Two locks, A and B, and an operation that needs both (moving money between two
/// accounts). Each strategy takes them its own way. Every worker publishes what it
/// holds and what it waits for, so a stuck run can say who holds which lock.
package final class TwoLocks: Sendable {
    /// Which lock: 1 is A, 2 is B (a bit each, for what a worker holds).
    package static let a = 1
    package static let b = 2

    private let lockA = PthreadMutex(name: "A")
    private let lockB = PthreadMutex(name: "B")
    /// Touched only while holding the locks the operation needs (a drop-in, so the
    /// explorer sees the transfer).
    private let balance = Atomic<Int>(0, name: "balance")
    /// Per worker: the locks it holds (bits), the lock it waits for (0: none), and
    /// its operations so far, each on its own line.
    package let holding: PaddedAtomicSlots
    package let waitingFor: PaddedAtomicSlots
    let progress: PaddedAtomicSlots

    package init(workers: Int) {
        holding = PaddedAtomicSlots(count: workers)
        waitingFor = PaddedAtomicSlots(count: workers)
        progress = PaddedAtomicSlots(count: workers)
    }

    private func mutex(_ which: Int) -> PthreadMutex { which == Self.a ? lockA : lockB }

    @inline(__always)
    private func take(_ which: Int, worker: Int) {
        waitingFor[worker].pointee.store(which, ordering: .relaxed)
        _ = mutex(which).lock()
        waitingFor[worker].pointee.store(0, ordering: .relaxed)
        holding[worker].pointee.bitwiseOr(which, ordering: .relaxed)
    }

    @inline(__always)
    private func release(_ which: Int, worker: Int) {
        holding[worker].pointee.bitwiseAnd(~which, ordering: .relaxed)
        mutex(which).unlock()
    }

    @inline(__always)
    private func transfer(worker: Int, done: inout Int) {
        balance.store(balance.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        done &+= 1
        progress[worker].pointee.store(done, ordering: .relaxed)
    }

    /// `first` then `second`, as the strategy orders them.
    @inline(__always)
    package func inOrder(_ first: Int, _ second: Int, worker: Int, done: inout Int) {
        take(first, worker: worker)
        take(second, worker: worker)
        transfer(worker: worker, done: &done)
        release(second, worker: worker)
        release(first, worker: worker)
    }

    /// `first`, then try `second`; if it is taken, let go of `first`, yield, and
    /// start over. Returns the attempts that had to let go.
    @inline(__always)
    package func backingOff(_ first: Int, _ second: Int, worker: Int, done: inout Int) -> Int {
        var retries = 0
        while true {
            take(first, worker: worker)
            if mutex(second).tryLock() {
                holding[worker].pointee.bitwiseOr(second, ordering: .relaxed)
                transfer(worker: worker, done: &done)
                release(second, worker: worker)
                release(first, worker: worker)
                return retries
            }
            release(first, worker: worker)
            retries += 1
            yieldThread()  // sched_yield(), and a fair yield under the explorer
        }
    }

    /// One coarse lock (A) for everything.
    @inline(__always)
    package func coarse(worker: Int, done: inout Int) {
        take(Self.a, worker: worker)
        transfer(worker: worker, done: &done)
        release(Self.a, worker: worker)
    }

    /// Every worker's operations so far.
    package func totalProgress() -> Int {
        (0..<progress.count).reduce(0) { $0 + progress[$1].pointee.load(ordering: .relaxed) }
    }

    /// The transfers that happened, read after the workers stopped.
    var transfers: Int { balance.load(ordering: .relaxed) }
}
