import Dispatch
import Synchronization

/// Runs async work from synchronous code: the calling thread waits on a semaphore
/// while a detached task does the work on Swift's cooperative pool. Call it only
/// from a thread that is not one of the pool's (racelab's main thread, a pthread
/// worker): a pool thread that blocks takes one of only about one-per-CPU threads.
package enum Blocking {
    /// The result, handed from the task to the waiting thread. `@unchecked Sendable`:
    /// written once by the task before it signals, read once after the wait.
    private final class Box<T>: @unchecked Sendable {
        var value: T?
    }

    package static func wait<T>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await work()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}
