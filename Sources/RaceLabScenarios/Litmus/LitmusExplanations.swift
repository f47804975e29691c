import RaceLab
import RaceLabModel

/// What `racelab explain <test>` says under the program: how the weak outcome comes
/// about, and which ordering or fence rules it out.
package enum LitmusExplanations {
    static let storeBuffering = """
        HOW IT HAPPENS
          Every core puts its stores in a store buffer and carries on; the store reaches the
          cache (and the other core) a little later. A later load to another location does
          not wait for it. So T0's x.store(1) sits in T0's buffer while r0 = y.load() reads
          the 0 in the cache, and at the same moment T1 does the mirror image: both loads
          miss both stores. No interleaving of the four steps gives r0=0 r1=0, yet x86-64,
          ARM64 and POWER all produce it. It is the one reordering x86-64's TSO allows.

        WHAT FORBIDS IT
          seq_cst on all four accesses: a total order of seq_cst operations that every thread
          agrees on. On x86-64 Swift then stores with XCHG (a locked instruction drains the
          store buffer); on ARM64 with STLR, whose later LDAR waits for it. A fence between
          the store and the load does the same (C++'s atomic_thread_fence(seq_cst), x86's
          MFENCE). Release/acquire does NOT: release orders what comes before a store,
          acquire what comes after a load; nothing orders a store before a later load.
          Dekker's and Peterson's mutual exclusion rely on exactly this pattern, and break
          without seq_cst.
        """

    static let messagePassing = """
        HOW IT HAPPENS
          The writer fills in the data, then raises a flag; the reader waits for the flag,
          then reads the data. With relaxed accesses nothing links the two locations: ARM64
          and POWER may make the flag visible before the data (stores to different cache
          lines drain in any order) or perform the reader's second load before its first.
          The reader sees flag=1 and stale data=0. x86-64 keeps stores in order and loads in
          order, so an x86-64 CPU never shows it: that says nothing about an ARM64 server or phone.

        WHAT FORBIDS IT
          A releasing store of the flag and an acquiring load of it: when the acquire reads
          the value the release wrote, everything before the release happens before
          everything after the acquire. That is the pattern behind every lock, queue and
          lazy initialisation (racelab lazy-init's relaxed-publication strategy is this test
          in a real program). seq_cst forbids it too.
        """

    static let loadBuffering = """
        HOW IT HAPPENS
          Each thread loads one location, then stores 1 to the other. For r0=r1=1 each load
          must read a store that comes after the other thread's load in program order: the
          CPU must let a store become visible before an earlier load has its value. ARM64
          and POWER architecturally allow that (a load that misses the cache may complete
          after a later store to another line); x86-64 never does it (TSO keeps a load
          before a later store). It is rare even where it is allowed.

        WHAT FORBIDS IT
          Acquire on the loads or release on the stores: an acquiring load happens before
          everything after it in its thread, so neither load can read a store that comes
          later. The C++ standard does allow r0=r1=1 with relaxed accesses (it is the
          shape of the out-of-thin-air problem); RC11, a proposed repair of the model,
          forbids it, and no compiler is known to produce it from this program.
        """

    static let iriw = """
        HOW IT HAPPENS
          Two writers each write one location; two readers read both, in opposite orders.
          r0=1 r1=0 says the reader T2 saw x before y; r2=1 r3=0 says T3 saw y before x. The
          readers disagree on the order of two independent stores. That needs a machine
          where a store reaches some cores before others (POWER: cores sharing a store
          buffer or L2 see each other early), or one whose loads may be reordered (ARM64,
          relaxed). x86-64 is multi-copy atomic (a store becomes visible to every other core
          at once) and keeps loads in order: it never shows it.

        WHAT FORBIDS IT
          seq_cst on every access: all threads agree on one order of the two stores.
          Release/acquire does not: no reader reads from the other, so nothing synchronises
          them, and the C++ model lets them disagree (POWER does, with lwsync).

        ON FEW CPUS
          IRIW needs 4 threads at once. With fewer CPUs they take turns, the two readers
          rarely overlap with the writers, and racelab says so (could not show).
        """

    static let twoPlusTwoW = """
        HOW IT HAPPENS
          T0 writes x=1 then y=2; T1 writes y=1 then x=2. Every interleaving ends with one
          thread's second write last on its location, so x=1 y=1 (both first writes last)
          needs each thread's two stores to reach memory in the opposite order to its
          program. ARM64 and POWER may drain stores to different cache lines out of order
          (relaxed); x86-64 drains each store buffer in order and never shows it.

        WHAT FORBIDS IT
          seq_cst on every store: one total order of all four stores, consistent with each
          thread's program order, so the last write on x and the last on y cannot both be a
          first write. Release does NOT forbid it in the C++ model: nothing reads, so no
          release synchronises with anything, and coherence alone lets the two locations'
          orders disagree with program order (herd's C++ model, GenMC and Miri agree).
          ARM64's STLR keeps a thread's stores in order (the architecture says so); POWER's
          lwsync does not.
        """

    static let corr = """
        HOW IT HAPPENS
          It does not. Coherence: all threads agree on one order of the writes to a single
          location, and a thread that has read a write never reads an older one after it.
          One writer stores x=1 then x=2; the reader reads twice. r0=2 r1=1 (or 1 then 0,
          2 then 0) would read x going backwards. Every memory model racelab knows, and
          every ordering including relaxed, forbids it: it is the control. Seeing it means a
          bug in racelab, the compiler or the machine (--check exits 1). Some ARM Cortex-A9
          cores had exactly this bug (erratum 761319: two loads of one address performed
          out of order), found with litmus tests.

        WHAT FORBIDS IT
          Coherence, which every atomic access has, even relaxed. This is what "relaxed
          atomic" still guarantees: no tearing, and one history per location.
        """
}

extension LitmusExplanations {
    /// What `racelab explain <test>` shows, as a Model value for the report; nil for a
    /// name that is no litmus test.
    package static func explanation(for name: String) -> LitmusExplanation? {
        guard let test = LitmusCatalog.test(named: name) else { return nil }
        return LitmusExplanation(
            name: test.name, title: test.title, summary: test.summary,
            program: (0..<test.threads).map(test.listing(thread:)), weakOutcome: test.describe(test.weakState),
            orderings: LitmusOrdering.allCases.map { ordering in
                LitmusExplanation.Row(
                    ordering: ordering, status: test.weakStatus[ordering] ?? .forbidden,
                    neverProducedOn: LitmusArchitecture.allCases.filter { test.hardwareNote(ordering, on: $0) != nil }
                        .map(\.rawValue))
            },
            text: test.explanation)
    }

    /// Every test's name and one-line summary, for `racelab explain litmus`.
    package static var index: [(name: String, summary: String)] { LitmusCatalog.tests.map { ($0.name, $0.summary) } }
}
