import CRaceLabShims
import RaceLab
import RaceLabModel
import Synchronization

/// The unsafe counter with a witness: the same load, spin and store as
/// `UnsafeCounter`, and each read written down in `WitnessBuffers`. A worker stops
/// when its buffer is full, even if the window is still open.
package final class WitnessedCounter: SharedCounter {
    private let value = Atomic<Int>(0)
    private let workSteps: Int64
    let buffers: WitnessBuffers

    package init(workers: Int, readsPerWorker: Int, work: Int) {
        workSteps = Int64(work)
        buffers = WitnessBuffers(workers: workers, readsPerWorker: readsPerWorker)
    }

    package func increment(worker: Int) {
        let readAt = MonotonicClock.now()
        let seen = value.load(ordering: .relaxed)
        if workSteps > 0 { racelab_spin(workSteps) }
        value.store(seen &+ 1, ordering: .relaxed)
        buffers.record(worker: worker, value: seen, readAt: readAt, writtenAt: MonotonicClock.now())
    }

    package func run(worker: Int, budget: inout OperationBudget) {
        budget.cap(at: buffers.capacity)
        budget.forEachOperation { increment(worker: worker) }
    }

    package func total() -> Int { value.load(ordering: .relaxed) }

    package func log(operations: Int) -> WitnessLog {
        buffers.log(operations: operations, finals: [total()], isKeyed: false)
    }
}
