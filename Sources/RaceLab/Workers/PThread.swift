#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A joinable POSIX thread running a Swift closure. Lives in the library because a
/// thread entry closure written in `main.swift` would inherit main-actor isolation.
package struct PThread {
    private final class Entry {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private let handle: pthread_t

    /// Small stacks: workers run flat loops, and 1,024 of them must fit comfortably.
    private static let stackBytes = 256 * 1024

    /// Starts `body` on a new thread (with a stack of `stackBytes`), or returns the error
    /// number `pthread_create` gave.
    package static func spawn(stackBytes: Int = stackBytes, _ body: @escaping @Sendable () -> Void) -> Result<
        PThread, Int32Error
    > {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
        let entry = Unmanaged.passRetained(Entry(body)).toOpaque()
        #if canImport(Glibc)
            var handle = pthread_t()
        #else
            var handle: pthread_t?
        #endif
        let code = pthread_create(
            &handle, &attributes,
            { raw in
                let entry = Unmanaged<Entry>.fromOpaque(raw!).takeRetainedValue()
                entry.body()
                return nil
            }, entry)
        guard code == 0 else {
            Unmanaged<Entry>.fromOpaque(entry).release()
            return .failure(Int32Error(code))
        }
        #if canImport(Glibc)
            return .success(PThread(handle: handle))
        #else
            return .success(PThread(handle: handle!))
        #endif
    }

    package func join() { pthread_join(handle, nil) }

    /// Lets the thread's resources go when it ends, for a thread nobody joins.
    package func detach() { pthread_detach(handle) }
}

/// An errno-style code carried through `Result`.
package struct Int32Error: Error, Equatable {
    package let code: Int32
    init(_ code: Int32) { self.code = code }
}
