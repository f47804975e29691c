import CRaceLabShims
import Dispatch
import Synchronization

/// A thread of racelab's own, pinned to one CPU, that runs the jobs of the tasks that
/// prefer it (`withTaskExecutorPreference`, `addTask(executorPreference:)`). A worker
/// task placed here runs on that CPU, like a pinned pthread worker, and keeps what a
/// task carries: its task-locals (Swift Testing's current test among them), so an
/// `#expect` in the worker is recorded against the right test.
///
/// `@unchecked Sendable`: the job queue is behind a mutex and the thread handle is set
/// once, in `init`, before any job can arrive.
package final class PinnedExecutor: TaskExecutor, @unchecked Sendable {
    private let jobs = Mutex<[UnownedJob]>([])
    private let wake = DispatchSemaphore(value: 0)
    private let isStopping = Atomic<Bool>(false)
    private var thread: PThread?

    /// Starts the thread, pinned to `cpu` (nil: not pinned).
    package init(cpu: Int32?) throws(RaceLabError) {
        let spawned = PThread.spawn { [unowned self] in
            if let cpu { _ = racelab_pin_current_thread(cpu) }
            self.serve()
        }
        switch spawned {
        case .success(let thread): self.thread = thread
        case .failure(let error): throw .threadCreationFailed(worker: 0, code: error.code)
        }
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        wake.signal()
    }

    /// Ends the thread once its queue is empty. Call after the tasks that prefer it finished.
    package func shutDown() {
        isStopping.store(true, ordering: .releasing)
        wake.signal()
        thread?.join()
        thread = nil
    }

    private func serve() {
        while true {
            wake.wait()
            while let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            if isStopping.load(ordering: .acquiring), jobs.withLock({ $0.isEmpty }) { return }
        }
    }
}
