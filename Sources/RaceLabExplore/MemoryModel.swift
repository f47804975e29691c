/// RC11, the memory model of C/C++11 atomics as repaired by Lahav, Vafeiadis, Kang, Hur
/// and Dreyer (PLDI 2017), the model Swift's `Synchronization` atomics follow (SE-0410):
/// every execution of a small straight-line program that the model allows, found by
/// enumerating each load's store (reads-from) and each location's order of stores
/// (modification order) and keeping the consistent ones. An oracle: exact for the
/// litmus tests' size, and what racelab's weak-memory exploration is checked against.
///
/// Consistent means (RC11, section 3):
/// - coherence: `hb; eco?` is irreflexive (eco = (rf ∪ mo ∪ rb)+, rb = rf⁻¹; mo);
/// - atomicity: an RMW reads from the store just before its own in mo;
/// - SC: `psc` (the order of seq_cst events, with seq_cst fences) is acyclic;
/// - no thin air: `sb ∪ rf` is acyclic, so load buffering's (1, 1) is forbidden
///   (C11 allows it; RC11 does not, and hardware never shows it from a plain load and
///   store).
/// Release sequences are C++20's: a release store and the RMWs that read from it, in a
/// chain. Non-atomic accesses, consume and data dependencies are not modelled.
package enum MemoryModel {
    /// A C11 memory order.
    package enum Order: Int, Sendable, Comparable, CaseIterable {
        case relaxed, acquire, release, acquiringAndReleasing, sequentiallyConsistent

        package static func < (a: Order, b: Order) -> Bool { a.rawValue < b.rawValue }

        var isAcquire: Bool { self == .acquire || self == .acquiringAndReleasing || self == .sequentiallyConsistent }
        var isRelease: Bool { self == .release || self == .acquiringAndReleasing || self == .sequentiallyConsistent }

        /// "relaxed", "acquire", ... as Swift spells them.
        package var name: String {
            switch self {
            case .relaxed: "relaxed"
            case .acquire: "acquiring"
            case .release: "releasing"
            case .acquiringAndReleasing: "acquiringAndReleasing"
            case .sequentiallyConsistent: "sequentiallyConsistent"
            }
        }
    }

    /// One instruction of a litmus thread: constants only, no control flow, so the set
    /// of events does not depend on what a load reads.
    package enum Instruction: Sendable, Equatable {
        case store(_ location: Int, _ value: Int, Order)
        /// Loads into register `register` (global numbering across threads).
        case load(_ location: Int, register: Int, Order)
        /// `wrappingAdd(amount)`: reads into `register`, writes what it read + amount.
        case add(_ location: Int, _ amount: Int, register: Int, Order)
        case fence(Order)
    }

    /// A program: threads in program order, over `locations` locations that start at 0
    /// and `registers` registers.
    package struct Program: Sendable {
        package let threads: [[Instruction]]
        package let locations: Int
        package let registers: Int

        package init(_ threads: [[Instruction]], locations: Int, registers: Int) {
            self.threads = threads
            self.locations = locations
            self.registers = registers
        }
    }

    /// What an execution ends with: every register, then every location's last value.
    package struct Outcome: Hashable, Sendable, Comparable, CustomStringConvertible {
        package let registers: [Int]
        package let memory: [Int]

        package static func < (a: Outcome, b: Outcome) -> Bool {
            (a.registers + a.memory).lexicographicallyPrecedes(b.registers + b.memory)
        }

        package var description: String {
            "(" + registers.map(String.init).joined(separator: ", ") + ")"
        }
    }

    private enum Kind { case write, read, update, fence }

    private struct Event {
        var thread: Int  // -1: an initial store
        var kind: Kind
        var location: Int
        var value: Int  // a store's value; an add's amount
        var register: Int
        var order: Order
        var isRead: Bool { kind == .read || kind == .update }
        var isWrite: Bool { kind == .write || kind == .update }
    }

    /// Every outcome RC11 allows for `program`, sorted.
    package static func allowedOutcomes(of program: Program) -> [Outcome] {
        Array(Set(consistentExecutions(of: program))).sorted()
    }

    /// The outcome of every consistent execution (one per execution: repeats possible).
    package static func consistentExecutions(of program: Program) -> [Outcome] {
        var events: [Event] = (0..<program.locations).map {
            Event(thread: -1, kind: .write, location: $0, value: 0, register: -1, order: .relaxed)
        }
        for (t, instructions) in program.threads.enumerated() {
            for instruction in instructions {
                switch instruction {
                case .store(let l, let v, let o):
                    events.append(Event(thread: t, kind: .write, location: l, value: v, register: -1, order: o))
                case .load(let l, let r, let o):
                    events.append(Event(thread: t, kind: .read, location: l, value: 0, register: r, order: o))
                case .add(let l, let a, let r, let o):
                    events.append(Event(thread: t, kind: .update, location: l, value: a, register: r, order: o))
                case .fence(let o):
                    events.append(Event(thread: t, kind: .fence, location: -1, value: 0, register: -1, order: o))
                }
            }
        }
        let n = events.count
        // Relations are rows of 64 bits: a program beyond that is not a litmus test, and
        // has no executions here (racelab's own litmus programs have a dozen events).
        guard n <= 64 else { return [] }
        // sb: program order within a thread, and every initial store before every event.
        var sb = Relation(n)
        for a in 0..<n {
            for b in 0..<n where a != b {
                let ea = events[a]
                let eb = events[b]
                if ea.thread == -1 && eb.thread != -1 { sb.add(a, b) }
                if ea.thread >= 0 && ea.thread == eb.thread && a < b { sb.add(a, b) }
            }
        }
        let reads = (0..<n).filter { events[$0].isRead }
        let writesTo = (0..<program.locations).map { l in
            (0..<n).filter { events[$0].isWrite && events[$0].location == l }
        }
        var outcomes: [Outcome] = []
        // Each location's modification order: initial store first, then a permutation.
        let moChoices = writesTo.map { writes in permutations(Array(writes.dropFirst())).map { [writes[0]] + $0 } }
        forEachChoice(moChoices.map(\.count)) { moPick in
            let orders = moPick.enumerated().map { moChoices[$0.offset][$0.element] }
            var mo = Relation(n)
            for order in orders {
                for i in order.indices { for j in order.indices where i < j { mo.add(order[i], order[j]) } }
            }
            let rfChoices = reads.map { writesTo[events[$0].location] }
            forEachChoice(rfChoices.map(\.count)) { rfPick in
                var rf = Relation(n)
                var source = [Int](repeating: -1, count: n)
                for (i, r) in reads.enumerated() {
                    let w = rfChoices[i][rfPick[i]]
                    if w == r { return }  // an update cannot read its own write
                    rf.add(w, r)
                    source[r] = w
                }
                // Values: a store's constant; an update's is its source's value + amount.
                var value = [Int?](repeating: nil, count: n)
                func valueOf(_ w: Int, _ depth: Int) -> Int? {
                    if let v = value[w] { return v }
                    guard depth < n else { return nil }  // an rf cycle through updates
                    let e = events[w]
                    let v: Int?
                    if e.kind == .update {
                        v = valueOf(source[w], depth + 1).map { $0 &+ e.value }
                    } else {
                        v = e.value
                    }
                    value[w] = v
                    return v
                }
                for w in 0..<n where events[w].isWrite { if valueOf(w, 0) == nil { return } }
                guard isConsistent(events, sb: sb, rf: rf, mo: mo) else { return }
                var registers = [Int](repeating: 0, count: program.registers)
                for r in reads where events[r].register >= 0 { registers[events[r].register] = value[source[r]]! }
                let memory = orders.map { value[$0.last!]! }
                outcomes.append(Outcome(registers: registers, memory: memory))
            }
        }
        return outcomes
    }

    private static func isConsistent(_ events: [Event], sb: Relation, rf: Relation, mo: Relation) -> Bool {
        let n = events.count
        // No thin air: sb ∪ rf acyclic.
        guard sb.union(rf).transitiveClosure().isIrreflexive else { return false }
        let rb = rf.inverse().compose(mo).minusIdentity()
        // Atomicity: no store between an update and the store it reads from.
        let rmw = Relation(n, where: { a, b in a == b && events[a].kind == .update })
        guard rmw.intersection(rb.compose(mo)).isEmpty else { return false }
        // Release sequences (C++20): a store, then updates reading from it, in a chain.
        let updates = Relation(n, where: { a, b in a == b && events[a].kind == .update })
        let rfRmw = rf.compose(updates)
        let writes = Relation(n, where: { a, b in a == b && events[a].isWrite })
        let rs = writes.compose(rfRmw.reflexiveTransitiveClosure())
        // sw = [E ⊒ rel]; ([F]; sb)?; rs; rf; [R]; (sb; [F])?; [E ⊒ acq]
        let release = Relation(n, where: { a, b in a == b && events[a].order.isRelease && events[a].thread >= 0 })
        let acquire = Relation(n, where: { a, b in a == b && events[a].order.isAcquire })
        let fences = Relation(n, where: { a, b in a == b && events[a].kind == .fence })
        let readsOnly = Relation(n, where: { a, b in a == b && events[a].isRead })
        let before = release.compose(fences.compose(sb).reflexive())
        let after = readsOnly.compose(sb.compose(fences).reflexive()).compose(acquire)
        let sw = before.compose(rs).compose(rf).compose(after)
        let hb = sb.union(sw).transitiveClosure()
        // Coherence: hb; eco? irreflexive. An update is one event here, where RC11 has a
        // read and a write with the write after it: so no eco cycle through an update
        // either (its write may not come before the store it read).
        let eco = rf.union(mo).union(rb).transitiveClosure()
        guard hb.compose(eco.reflexive()).isIrreflexive, updates.compose(eco).isIrreflexive else { return false }
        // SC: psc acyclic.
        let sameLocation = Relation(
            n,
            where: { a, b in
                events[a].location >= 0 && events[a].location == events[b].location
            })
        let sbNotLoc = sb.minus(sameLocation)
        let scb = sb.union(sbNotLoc.compose(hb).compose(sbNotLoc)).union(hb.intersection(sameLocation)).union(mo)
            .union(rb)
        let sc = Relation(n, where: { a, b in a == b && events[a].order == .sequentiallyConsistent })
        let scFences = sc.intersection(fences)
        let left = sc.minus(fences).union(scFences.compose(hb.reflexive()))
        let right = sc.minus(fences).union(hb.reflexive().compose(scFences))
        let pscBase = left.compose(scb).compose(right)
        let pscF = scFences.compose(hb.union(hb.compose(eco).compose(hb))).compose(scFences)
        return pscBase.union(pscF).transitiveClosure().isIrreflexive
    }

    /// Calls `body` with every choice of one index per slot (slot i below `counts[i]`).
    private static func forEachChoice(_ counts: [Int], _ body: ([Int]) -> Void) {
        if counts.contains(0) { return }
        var pick = [Int](repeating: 0, count: counts.count)
        while true {
            body(pick)
            var i = counts.count - 1
            while i >= 0 {
                pick[i] += 1
                if pick[i] < counts[i] { break }
                pick[i] = 0
                i -= 1
            }
            if i < 0 { return }
        }
    }

    private static func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        var result: [[Int]] = []
        for (i, item) in items.enumerated() {
            var rest = items
            rest.remove(at: i)
            for tail in permutations(rest) { result.append([item] + tail) }
        }
        return result
    }
}

/// A relation over at most 64 events, one bit row per event.
private struct Relation {
    var rows: [UInt64]

    init(_ n: Int) { rows = Array(repeating: 0, count: n) }

    init(_ n: Int, where holds: (Int, Int) -> Bool) {
        rows = Array(repeating: 0, count: n)
        for a in 0..<n { for b in 0..<n where holds(a, b) { rows[a] |= 1 << UInt64(b) } }
    }

    mutating func add(_ a: Int, _ b: Int) { rows[a] |= 1 << UInt64(b) }

    var isEmpty: Bool { rows.allSatisfy { $0 == 0 } }
    var isIrreflexive: Bool { rows.indices.allSatisfy { rows[$0] & (1 << UInt64($0)) == 0 } }

    func union(_ other: Relation) -> Relation { Relation(rows: zip(rows, other.rows).map { $0 | $1 }) }
    func intersection(_ other: Relation) -> Relation { Relation(rows: zip(rows, other.rows).map { $0 & $1 }) }
    func minus(_ other: Relation) -> Relation { Relation(rows: zip(rows, other.rows).map { $0 & ~$1 }) }

    func minusIdentity() -> Relation {
        Relation(rows: rows.enumerated().map { $0.element & ~(1 << UInt64($0.offset)) })
    }

    func reflexive() -> Relation { Relation(rows: rows.enumerated().map { $0.element | (1 << UInt64($0.offset)) }) }

    func inverse() -> Relation {
        var result = Relation(rows.count)
        for a in rows.indices { for b in rows.indices where rows[a] & (1 << UInt64(b)) != 0 { result.add(b, a) } }
        return result
    }

    /// self; other.
    func compose(_ other: Relation) -> Relation {
        Relation(
            rows: rows.map { row in
                var result: UInt64 = 0
                var bits = row
                while bits != 0 {
                    let b = bits.trailingZeroBitCount
                    result |= other.rows[b]
                    bits &= bits - 1
                }
                return result
            })
    }

    func transitiveClosure() -> Relation {
        var r = rows
        for k in r.indices {
            let bit: UInt64 = 1 << UInt64(k)
            for i in r.indices where r[i] & bit != 0 { r[i] |= r[k] }
        }
        return Relation(rows: r)
    }

    func reflexiveTransitiveClosure() -> Relation { transitiveClosure().reflexive() }

    private init(rows: [UInt64]) { self.rows = rows }
}

// MARK: the same model, operationally

extension MemoryModel {
    /// Every outcome of `program` found by running it, one instruction at a time, on a
    /// memory of views (release/acquire as views handed over with each store, as the
    /// operational semantics of RC11's release/acquire fragment): each location keeps
    /// its stores in modification order; a load may read any store at or after what its
    /// thread has seen of that location, and an acquire takes the store's view along; a
    /// store goes into any gap after what its thread has seen (so mo need not be the
    /// order of execution: 2+2W); an update reads a store no other update read and goes
    /// just after it; seq_cst accesses and fences also synchronise through one global
    /// view, which orders them all. Every choice is a branch. What the weak-memory
    /// explorer is to do on the drop-ins, checked here against `allowedOutcomes`: equal on
    /// the litmus tests; with seq_cst accesses mixed with weaker ones on other locations,
    /// the global view is stronger than RC11's psc and can miss an outcome RC11 allows
    /// (a fuzzer found 5 of 1,500 programs): seq_cst accesses need psc's own check.
    package static func operationalOutcomes(of program: Program) -> [Outcome] {
        var found = Set<Outcome>()
        var state = OperationalState(program)
        explore(program, &state, &found)
        return found.sorted()
    }

    /// A thread's knowledge: per location, the timestamp of the latest store it saw.
    fileprivate typealias View = [Int: Double]

    fileprivate struct Message {
        var value: Int
        var timestamp: Double
        var view: View
        var readByUpdate = false
    }

    fileprivate struct OperationalState {
        var pc: [Int]
        var views: [View]
        var releaseFenceViews: [View?]
        var pendingAcquire: [View]
        var scView: View = [:]
        var messages: [[Message]]  // per location, in modification order
        var registers: [Int]

        init(_ program: Program) {
            pc = Array(repeating: 0, count: program.threads.count)
            views = Array(repeating: [:], count: program.threads.count)
            releaseFenceViews = Array(repeating: nil, count: program.threads.count)
            pendingAcquire = Array(repeating: [:], count: program.threads.count)
            messages = (0..<program.locations).map { _ in [Message(value: 0, timestamp: 0, view: [:])] }
            registers = Array(repeating: 0, count: program.registers)
        }
    }

    fileprivate static func join(_ a: inout View, _ b: View) {
        for (location, time) in b where time > a[location, default: 0] { a[location] = time }
    }

    private static func explore(_ program: Program, _ state: inout OperationalState, _ found: inout Set<Outcome>) {
        var moved = false
        for t in program.threads.indices where state.pc[t] < program.threads[t].count {
            moved = true
            for next in successors(program.threads[t][state.pc[t]], thread: t, state) {
                var copy = next
                copy.pc[t] += 1
                explore(program, &copy, &found)
            }
        }
        if !moved {
            found.insert(Outcome(registers: state.registers, memory: state.messages.map { $0.last!.value }))
        }
    }

    /// The states one instruction of thread `t` can lead to: one per choice.
    private static func successors(_ instruction: Instruction, thread t: Int, _ state: OperationalState)
        -> [OperationalState]
    {
        var base = state
        func sc(_ order: Order) -> Bool { order == .sequentiallyConsistent }
        switch instruction {
        case .store(let l, let value, let order):
            if sc(order) { join(&base.views[t], base.scView) }
            let seen = base.views[t][l, default: 0]
            var result: [OperationalState] = []
            let stores = base.messages[l]
            // Each gap after the last store this thread saw, not just after one an
            // update read (the update sits right after it).
            for i in stores.indices where stores[i].timestamp >= seen && !stores[i].readByUpdate {
                var next = base
                let time =
                    i + 1 < stores.count ? (stores[i].timestamp + stores[i + 1].timestamp) / 2 : stores[i].timestamp + 1
                next.views[t][l] = time
                var view: View = [l: time]
                if order.isRelease {
                    view = next.views[t]
                } else if let fence = next.releaseFenceViews[t] {
                    view = fence
                    view[l] = time
                }
                next.messages[l].insert(Message(value: value, timestamp: time, view: view), at: i + 1)
                if sc(order) { join(&next.scView, next.views[t]) }
                result.append(next)
            }
            return result
        case .load(let l, let register, let order):
            if sc(order) { join(&base.views[t], base.scView) }
            let seen = base.views[t][l, default: 0]
            return base.messages[l].filter { $0.timestamp >= seen }.map { message in
                var next = base
                next.registers[register] = message.value
                next.views[t][l] = message.timestamp
                if order.isAcquire {
                    join(&next.views[t], message.view)
                } else {
                    join(&next.pendingAcquire[t], message.view)
                }
                if sc(order) { join(&next.scView, next.views[t]) }
                return next
            }
        case .add(let l, let amount, let register, let order):
            if sc(order) { join(&base.views[t], base.scView) }
            let seen = base.views[t][l, default: 0]
            let stores = base.messages[l]
            return stores.indices.filter { stores[$0].timestamp >= seen && !stores[$0].readByUpdate }.map { i in
                var next = base
                let read = stores[i]
                next.registers[register] = read.value
                next.messages[l][i].readByUpdate = true
                let time = i + 1 < stores.count ? (read.timestamp + stores[i + 1].timestamp) / 2 : read.timestamp + 1
                if order.isAcquire { join(&next.views[t], read.view) } else { join(&next.pendingAcquire[t], read.view) }
                next.views[t][l] = time
                // A release sequence: the update carries the view of the store it read.
                var view: View = order.isRelease ? next.views[t] : (next.releaseFenceViews[t] ?? [:])
                join(&view, read.view)
                view[l] = time
                next.messages[l].insert(Message(value: read.value &+ amount, timestamp: time, view: view), at: i + 1)
                if sc(order) { join(&next.scView, next.views[t]) }
                return next
            }
        case .fence(let order):
            if order.isAcquire { join(&base.views[t], base.pendingAcquire[t]) }
            if sc(order) {
                join(&base.views[t], base.scView)
                join(&base.scView, base.views[t])
            }
            if order.isRelease { base.releaseFenceViews[t] = base.views[t] }
            return [base]
        }
    }
}
