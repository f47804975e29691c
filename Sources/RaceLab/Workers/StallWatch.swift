import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Watches a run for a stall: a thread that samples the workers' progress every
/// 10 ms and calls `onStall` once it has not moved for `stallMilliseconds` (counted
/// from the first progress; before any, after 10x as long, since starting a
/// thousand threads takes a while). A deadlock looks exactly like that: every
/// worker asleep, nothing moving. Knows nothing about what the workers do.
///
/// `@unchecked Sendable`: the thread handle is written once, at start, and read
/// once, by `stop`, on the thread that started it.
package final class StallWatch: @unchecked Sendable {
    private let isStopped = Atomic<Bool>(false)
    private var thread: PThread?

    /// Starts watching, or returns nil if the system refused the thread (then the
    /// child's watchdog, `--timeout`, is the only guard).
    package static func start(
        stallMilliseconds: Int, progress: @escaping @Sendable () -> Int, onStall: @escaping @Sendable () -> Void
    ) -> StallWatch {
        let watch = StallWatch()
        let spawned = PThread.spawn { [watch] in
            var last = progress()
            var quiet = 0
            while !watch.isStopped.load(ordering: .acquiring) {
                var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
                nanosleep(&pause, nil)
                let now = progress()
                quiet = now == last ? quiet + 10 : 0
                last = now
                let limit = now == 0 ? 10 * stallMilliseconds : stallMilliseconds
                if quiet >= limit, !watch.isStopped.load(ordering: .acquiring) {
                    onStall()
                    return
                }
            }
        }
        if case .success(let thread) = spawned { watch.thread = thread }
        return watch
    }

    /// Stops watching and waits for the thread to end (within 10 ms).
    package func stop() {
        isStopped.store(true, ordering: .releasing)
        thread?.join()
    }
}
