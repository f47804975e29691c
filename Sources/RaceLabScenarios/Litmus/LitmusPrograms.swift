import Synchronization

/// The orderings of one run as types, so each (program, ordering) pair compiles to its
/// own loop with the orderings as constants: exactly the instructions the ordering
/// needs (on x86-64 a seq_cst store is an XCHG, the rest plain MOVs), no switch.
/// (`Atomic` takes its ordering as a literal, so each kind spells its own.)
protocol LitmusAccesses: SendableMetatype {
    static func store(_ value: Int, to location: UnsafeMutablePointer<Atomic<Int>>)
    static func load(_ location: UnsafeMutablePointer<Atomic<Int>>) -> Int
}

/// Stores and loads `.relaxed`.
enum RelaxedAccesses: LitmusAccesses {
    @inline(__always)
    static func store(_ value: Int, to location: UnsafeMutablePointer<Atomic<Int>>) {
        location.pointee.store(value, ordering: .relaxed)
    }

    @inline(__always)
    static func load(_ location: UnsafeMutablePointer<Atomic<Int>>) -> Int {
        location.pointee.load(ordering: .relaxed)
    }
}

/// Stores `.releasing`, loads `.acquiring`.
enum AcquireReleaseAccesses: LitmusAccesses {
    @inline(__always)
    static func store(_ value: Int, to location: UnsafeMutablePointer<Atomic<Int>>) {
        location.pointee.store(value, ordering: .releasing)
    }

    @inline(__always)
    static func load(_ location: UnsafeMutablePointer<Atomic<Int>>) -> Int {
        location.pointee.load(ordering: .acquiring)
    }
}

/// Stores and loads `.sequentiallyConsistent`.
enum SequentiallyConsistentAccesses: LitmusAccesses {
    @inline(__always)
    static func store(_ value: Int, to location: UnsafeMutablePointer<Atomic<Int>>) {
        location.pointee.store(value, ordering: .sequentiallyConsistent)
    }

    @inline(__always)
    static func load(_ location: UnsafeMutablePointer<Atomic<Int>>) -> Int {
        location.pointee.load(ordering: .sequentiallyConsistent)
    }
}

/// One litmus test's threads in Swift: the same steps as its `LitmusTest.threadSteps`,
/// each access with the run's ordering. `registers` is the thread's row for this
/// iteration: its loads' values, in program order.
protocol LitmusProgram: SendableMetatype {
    static func run<A: LitmusAccesses>(
        thread: Int, x: UnsafeMutablePointer<Atomic<Int>>, y: UnsafeMutablePointer<Atomic<Int>>,
        registers: UnsafeMutablePointer<UInt8>, _ accesses: A.Type)
}

/// Loads keep their low byte: every test's values are 0, 1 or 2.
@inline(__always)
private func register(_ value: Int) -> UInt8 { UInt8(truncatingIfNeeded: value) }

/// SB. T0: x = 1; r0 = y.  T1: y = 1; r1 = x.
enum StoreBufferingProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(
        thread: Int, x: UnsafeMutablePointer<Atomic<Int>>, y: UnsafeMutablePointer<Atomic<Int>>,
        registers: UnsafeMutablePointer<UInt8>, _ accesses: A.Type
    ) {
        if thread == 0 {
            A.store(1, to: x)
            registers[0] = register(A.load(y))
        } else {
            A.store(1, to: y)
            registers[0] = register(A.load(x))
        }
    }
}

/// MP, data in x and flag in y. T0: data = 1; flag = 1.  T1: r0 = flag; r1 = data.
enum MessagePassingProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(
        thread: Int, x: UnsafeMutablePointer<Atomic<Int>>, y: UnsafeMutablePointer<Atomic<Int>>,
        registers: UnsafeMutablePointer<UInt8>, _ accesses: A.Type
    ) {
        if thread == 0 {
            A.store(1, to: x)
            A.store(1, to: y)
        } else {
            registers[0] = register(A.load(y))
            registers[1] = register(A.load(x))
        }
    }
}

/// LB. T0: r0 = x; y = 1.  T1: r1 = y; x = 1.
enum LoadBufferingProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(
        thread: Int, x: UnsafeMutablePointer<Atomic<Int>>, y: UnsafeMutablePointer<Atomic<Int>>,
        registers: UnsafeMutablePointer<UInt8>, _ accesses: A.Type
    ) {
        if thread == 0 {
            registers[0] = register(A.load(x))
            A.store(1, to: y)
        } else {
            registers[0] = register(A.load(y))
            A.store(1, to: x)
        }
    }
}

/// IRIW. T0: x = 1.  T1: y = 1.  T2: r0 = x; r1 = y.  T3: r2 = y; r3 = x.
enum IRIWProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(
        thread: Int, x: UnsafeMutablePointer<Atomic<Int>>, y: UnsafeMutablePointer<Atomic<Int>>,
        registers: UnsafeMutablePointer<UInt8>, _ accesses: A.Type
    ) {
        switch thread {
        case 0:
            A.store(1, to: x)
        case 1:
            A.store(1, to: y)
        case 2:
            registers[0] = register(A.load(x))
            registers[1] = register(A.load(y))
        default:
            registers[0] = register(A.load(y))
            registers[1] = register(A.load(x))
        }
    }
}

/// 2+2W. T0: x = 1; y = 2.  T1: y = 1; x = 2. The state is x and y once both are done.
enum TwoPlusTwoWritesProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(
        thread: Int, x: UnsafeMutablePointer<Atomic<Int>>, y: UnsafeMutablePointer<Atomic<Int>>,
        registers: UnsafeMutablePointer<UInt8>, _ accesses: A.Type
    ) {
        if thread == 0 {
            A.store(1, to: x)
            A.store(2, to: y)
        } else {
            A.store(1, to: y)
            A.store(2, to: x)
        }
    }
}

/// CoRR. T0: x = 1; x = 2.  T1: r0 = x; r1 = x.
enum CoherenceReadReadProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(
        thread: Int, x: UnsafeMutablePointer<Atomic<Int>>, y: UnsafeMutablePointer<Atomic<Int>>,
        registers: UnsafeMutablePointer<UInt8>, _ accesses: A.Type
    ) {
        if thread == 0 {
            A.store(1, to: x)
            A.store(2, to: x)
        } else {
            registers[0] = register(A.load(x))
            registers[1] = register(A.load(x))
        }
    }
}
