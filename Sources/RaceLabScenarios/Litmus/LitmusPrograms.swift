import Synchronization

/// The orderings of one run as types, so each (program, ordering) pair compiles to its
/// own loop with the orderings as constants: exactly the instructions the ordering
/// needs (on x86-64 a seq_cst store is an XCHG, the rest plain MOVs), no switch.
/// (`Atomic` takes its ordering as a literal, so each kind spells its own.)
protocol LitmusAccesses: SendableMetatype {
    static func store(_ value: Int, to location: borrowing Atomic<Int>)
    static func load(_ location: borrowing Atomic<Int>) -> Int
}

/// Stores and loads `.relaxed`.
enum RelaxedAccesses: LitmusAccesses {
    @inline(__always)
    static func store(_ value: Int, to location: borrowing Atomic<Int>) {
        location.store(value, ordering: .relaxed)
    }

    @inline(__always)
    static func load(_ location: borrowing Atomic<Int>) -> Int {
        location.load(ordering: .relaxed)
    }
}

/// Stores `.releasing`, loads `.acquiring`.
enum AcquireReleaseAccesses: LitmusAccesses {
    @inline(__always)
    static func store(_ value: Int, to location: borrowing Atomic<Int>) {
        location.store(value, ordering: .releasing)
    }

    @inline(__always)
    static func load(_ location: borrowing Atomic<Int>) -> Int {
        location.load(ordering: .acquiring)
    }
}

/// Stores and loads `.sequentiallyConsistent`.
enum SequentiallyConsistentAccesses: LitmusAccesses {
    @inline(__always)
    static func store(_ value: Int, to location: borrowing Atomic<Int>) {
        location.store(value, ordering: .sequentiallyConsistent)
    }

    @inline(__always)
    static func load(_ location: borrowing Atomic<Int>) -> Int {
        location.load(ordering: .sequentiallyConsistent)
    }
}

/// One litmus test's threads in Swift: the same steps as its `LitmusTest.threadSteps`,
/// each access with the run's ordering, on one sample's cell; its loads' values go to
/// the thread's registers, in program order.
protocol LitmusProgram: SendableMetatype {
    static func run<A: LitmusAccesses>(thread: Int, on cell: LitmusCell, _ accesses: A.Type)
}

/// SB. T0: x = 1; r0 = y.  T1: y = 1; r1 = x.
enum StoreBufferingProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(thread: Int, on cell: LitmusCell, _ accesses: A.Type) {
        if thread == 0 {
            A.store(1, to: cell.x)
            cell.record(A.load(cell.y), thread: thread, index: 0)
        } else {
            A.store(1, to: cell.y)
            cell.record(A.load(cell.x), thread: thread, index: 0)
        }
    }
}

/// MP, data in x and flag in y. T0: data = 1; flag = 1.  T1: r0 = flag; r1 = data.
enum MessagePassingProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(thread: Int, on cell: LitmusCell, _ accesses: A.Type) {
        if thread == 0 {
            A.store(1, to: cell.x)
            A.store(1, to: cell.y)
        } else {
            cell.record(A.load(cell.y), thread: thread, index: 0)
            cell.record(A.load(cell.x), thread: thread, index: 1)
        }
    }
}

/// LB. T0: r0 = x; y = 1.  T1: r1 = y; x = 1.
enum LoadBufferingProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(thread: Int, on cell: LitmusCell, _ accesses: A.Type) {
        if thread == 0 {
            cell.record(A.load(cell.x), thread: thread, index: 0)
            A.store(1, to: cell.y)
        } else {
            cell.record(A.load(cell.y), thread: thread, index: 0)
            A.store(1, to: cell.x)
        }
    }
}

/// IRIW. T0: x = 1.  T1: y = 1.  T2: r0 = x; r1 = y.  T3: r2 = y; r3 = x.
enum IRIWProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(thread: Int, on cell: LitmusCell, _ accesses: A.Type) {
        switch thread {
        case 0:
            A.store(1, to: cell.x)
        case 1:
            A.store(1, to: cell.y)
        case 2:
            cell.record(A.load(cell.x), thread: thread, index: 0)
            cell.record(A.load(cell.y), thread: thread, index: 1)
        default:
            cell.record(A.load(cell.y), thread: thread, index: 0)
            cell.record(A.load(cell.x), thread: thread, index: 1)
        }
    }
}

/// 2+2W. T0: x = 1; y = 2.  T1: y = 1; x = 2. The state is x and y once both are done.
enum TwoPlusTwoWritesProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(thread: Int, on cell: LitmusCell, _ accesses: A.Type) {
        if thread == 0 {
            A.store(1, to: cell.x)
            A.store(2, to: cell.y)
        } else {
            A.store(1, to: cell.y)
            A.store(2, to: cell.x)
        }
    }
}

/// CoRR. T0: x = 1; x = 2.  T1: r0 = x; r1 = x.
enum CoherenceReadReadProgram: LitmusProgram {
    @inline(__always)
    static func run<A: LitmusAccesses>(thread: Int, on cell: LitmusCell, _ accesses: A.Type) {
        if thread == 0 {
            A.store(1, to: cell.x)
            A.store(2, to: cell.x)
        } else {
            cell.record(A.load(cell.x), thread: thread, index: 0)
            cell.record(A.load(cell.x), thread: thread, index: 1)
        }
    }
}
