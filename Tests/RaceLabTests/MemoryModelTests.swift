import Testing

@testable import RaceLabExplore

/// RC11's allowed outcomes of the classic litmus tests, as the RC11 paper (Lahav et al.,
/// PLDI 2017) and herd7's tables have them, each in its relaxed, release/acquire and
/// seq_cst forms: the oracle racelab's weak-memory exploration is checked against.
@Suite("Memory model: RC11's allowed outcomes of the litmus tests")
struct MemoryModelTests {
    typealias M = MemoryModel
    let x = 0
    let y = 1

    /// The registers of every allowed outcome, as tuples in lexicographic order.
    func allowed(_ threads: [[M.Instruction]], registers: Int, locations: Int = 2) -> Set<[Int]> {
        Set(M.allowedOutcomes(of: M.Program(threads, locations: locations, registers: registers)).map(\.registers))
    }

    func finalMemory(_ threads: [[M.Instruction]]) -> Set<[Int]> {
        Set(M.allowedOutcomes(of: M.Program(threads, locations: 2, registers: 0)).map(\.memory))
    }

    static let all: Set<[Int]> = [[0, 0], [0, 1], [1, 0], [1, 1]]

    @Test("MP: the stale read (1, 0) with relaxed orderings, never with release/acquire or seq_cst")
    func messagePassing() {
        func mp(_ write: M.Order, _ read: M.Order) -> Set<[Int]> {
            allowed(
                [
                    [.store(x, 1, .relaxed), .store(y, 1, write)],
                    [.load(y, register: 0, read), .load(x, register: 1, .relaxed)],
                ], registers: 2)
        }
        #expect(mp(.relaxed, .relaxed) == Self.all)
        #expect(mp(.release, .acquire) == Self.all.subtracting([[1, 0]]))
        #expect(mp(.sequentiallyConsistent, .sequentiallyConsistent) == Self.all.subtracting([[1, 0]]))
        #expect(mp(.release, .relaxed) == Self.all, "an acquire is needed on the reader's side too")
    }

    @Test("MP with fences: a release fence and an acquire fence make relaxed accesses synchronise")
    func messagePassingFences() {
        let outcomes = allowed(
            [
                [.store(x, 1, .relaxed), .fence(.release), .store(y, 1, .relaxed)],
                [.load(y, register: 0, .relaxed), .fence(.acquire), .load(x, register: 1, .relaxed)],
            ], registers: 2)
        #expect(outcomes == Self.all.subtracting([[1, 0]]))
    }

    @Test("SB: both loads see 0 unless every access is seq_cst")
    func storeBuffering() {
        func sb(_ o: M.Order, _ l: M.Order) -> Set<[Int]> {
            allowed(
                [[.store(x, 1, o), .load(y, register: 0, l)], [.store(y, 1, o), .load(x, register: 1, l)]], registers: 2
            )
        }
        #expect(sb(.relaxed, .relaxed) == Self.all)
        #expect(sb(.release, .acquire) == Self.all)
        #expect(sb(.sequentiallyConsistent, .sequentiallyConsistent) == Self.all.subtracting([[0, 0]]))
    }

    @Test("SB with seq_cst fences between relaxed accesses: (0, 0) is gone")
    func storeBufferingFences() {
        let outcomes = allowed(
            [
                [.store(x, 1, .relaxed), .fence(.sequentiallyConsistent), .load(y, register: 0, .relaxed)],
                [.store(y, 1, .relaxed), .fence(.sequentiallyConsistent), .load(x, register: 1, .relaxed)],
            ], registers: 2)
        #expect(outcomes == Self.all.subtracting([[0, 0]]))
    }

    @Test(
        "LB: (1, 1) is forbidden in RC11 at every ordering (C11 allowed it)",
        arguments: M.Order.allCases.filter { $0 != .acquiringAndReleasing })
    func loadBuffering(_ order: M.Order) {
        let load: M.Order = order == .release ? .relaxed : order
        let store: M.Order = order == .acquire ? .relaxed : order
        let outcomes = allowed(
            [[.load(x, register: 0, load), .store(y, 1, store)], [.load(y, register: 1, load), .store(x, 1, store)]],
            registers: 2)
        #expect(outcomes == Self.all.subtracting([[1, 1]]))
    }

    @Test(
        "CoRR: two loads of one location never see its stores out of order",
        arguments: [M.Order.relaxed, .sequentiallyConsistent])
    func coherence(_ order: M.Order) {
        let outcomes = allowed(
            [[.store(x, 1, order)], [.load(x, register: 0, order), .load(x, register: 1, order)]], registers: 2)
        #expect(outcomes == [[0, 0], [0, 1], [1, 1]])
    }

    @Test("IRIW: readers disagree on the order of independent stores unless all is seq_cst")
    func independentReads() {
        func iriw(_ w: M.Order, _ r: M.Order) -> Bool {
            let outcomes = M.allowedOutcomes(
                of: M.Program(
                    [
                        [.store(x, 1, w)], [.store(y, 1, w)],
                        [.load(x, register: 0, r), .load(y, register: 1, r)],
                        [.load(y, register: 2, r), .load(x, register: 3, r)],
                    ], locations: 2, registers: 4))
            return outcomes.contains { $0.registers == [1, 0, 1, 0] }
        }
        #expect(iriw(.relaxed, .relaxed))
        #expect(iriw(.release, .acquire))
        #expect(!iriw(.sequentiallyConsistent, .sequentiallyConsistent))
    }

    @Test("2+2W: both first stores last (x = 1, y = 1) unless seq_cst")
    func twoPlusTwoWrites() {
        func final(_ o: M.Order) -> Set<[Int]> {
            finalMemory([[.store(x, 1, o), .store(y, 2, o)], [.store(y, 1, o), .store(x, 2, o)]])
        }
        #expect(final(.relaxed).contains([1, 1]))
        #expect(final(.release).contains([1, 1]))
        #expect(!final(.sequentiallyConsistent).contains([1, 1]))
        #expect(final(.sequentiallyConsistent) == [[1, 2], [2, 1], [2, 2]])
    }

    @Test("WRC: causality holds with release/acquire, not with relaxed")
    func writeToReadCausality() {
        func wrc(_ w: M.Order, _ r: M.Order) -> Bool {
            let outcomes = allowed(
                [
                    [.store(x, 1, w)], [.load(x, register: 0, r), .store(y, 1, w)],
                    [.load(y, register: 1, r), .load(x, register: 2, r)],
                ], registers: 3)
            return outcomes.contains([1, 1, 0])
        }
        #expect(wrc(.relaxed, .relaxed))
        #expect(!wrc(.release, .acquire))
        #expect(!wrc(.sequentiallyConsistent, .sequentiallyConsistent))
    }

    @Test("Updates are atomic: two wrappingAdds of 1 never both read 0, at any ordering")
    func updatesAreAtomic() {
        let outcomes = M.allowedOutcomes(
            of: M.Program(
                [[.add(x, 1, register: 0, .relaxed)], [.add(x, 1, register: 1, .relaxed)]], locations: 1, registers: 2))
        #expect(Set(outcomes.map(\.registers)) == [[0, 1], [1, 0]])
        #expect(outcomes.allSatisfy { $0.memory == [2] })
    }

    @Test("A release sequence: an update between the release store and the acquire load keeps MP safe")
    func releaseSequence() {
        let outcomes = M.allowedOutcomes(
            of: M.Program(
                [
                    [.store(x, 1, .relaxed), .store(y, 1, .release)],
                    [.add(y, 1, register: 2, .relaxed)],
                    [.load(y, register: 0, .acquire), .load(x, register: 1, .relaxed)],
                ], locations: 2, registers: 3))
        // The reader sees y = 2 (the update after the release store): x must be 1.
        #expect(!outcomes.contains { $0.registers[0] == 2 && $0.registers[1] == 0 })
        #expect(outcomes.contains { $0.registers[0] == 2 && $0.registers[1] == 1 })
    }

    /// The litmus programs above (and more orderings of each), for the operational check.
    static var programs: [(String, M.Program)] {
        let x = 0
        let y = 1
        var list: [(String, M.Program)] = []
        let forms: [(String, M.Order, M.Order)] = [
            ("relaxed", .relaxed, .relaxed), ("release/acquire", .release, .acquire),
            ("seq_cst", .sequentiallyConsistent, .sequentiallyConsistent),
            ("release/relaxed", .release, .relaxed), ("relaxed/acquire", .relaxed, .acquire),
        ]
        for (name, w, r) in forms {
            list.append(
                (
                    "MP \(name)",
                    M.Program(
                        [
                            [.store(x, 1, .relaxed), .store(y, 1, w)],
                            [.load(y, register: 0, r), .load(x, register: 1, .relaxed)],
                        ], locations: 2, registers: 2)
                ))
            list.append(
                (
                    "SB \(name)",
                    M.Program(
                        [[.store(x, 1, w), .load(y, register: 0, r)], [.store(y, 1, w), .load(x, register: 1, r)]],
                        locations: 2, registers: 2)
                ))
            list.append(
                (
                    "LB \(name)",
                    M.Program(
                        [[.load(x, register: 0, r), .store(y, 1, w)], [.load(y, register: 1, r), .store(x, 1, w)]],
                        locations: 2, registers: 2)
                ))
            list.append(
                (
                    "CoRR \(name)",
                    M.Program(
                        [[.store(x, 1, w)], [.load(x, register: 0, r), .load(x, register: 1, r)]], locations: 1,
                        registers: 2)
                ))
            list.append(
                (
                    "CoWR \(name)",
                    M.Program(
                        [[.store(x, 1, w), .load(x, register: 0, r)], [.store(x, 2, w)]], locations: 1, registers: 1)
                ))
            list.append(
                (
                    "IRIW \(name)",
                    M.Program(
                        [
                            [.store(x, 1, w)], [.store(y, 1, w)], [.load(x, register: 0, r), .load(y, register: 1, r)],
                            [.load(y, register: 2, r), .load(x, register: 3, r)],
                        ], locations: 2, registers: 4)
                ))
            list.append(
                (
                    "2+2W \(name)",
                    M.Program(
                        [[.store(x, 1, w), .store(y, 2, w)], [.store(y, 1, w), .store(x, 2, w)]], locations: 2,
                        registers: 0)
                ))
            list.append(
                (
                    "WRC \(name)",
                    M.Program(
                        [
                            [.store(x, 1, w)], [.load(x, register: 0, r), .store(y, 1, w)],
                            [.load(y, register: 1, r), .load(x, register: 2, r)],
                        ], locations: 2, registers: 3)
                ))
            list.append(
                (
                    "R \(name)",
                    M.Program(
                        [[.store(x, 1, w), .store(y, 1, w)], [.store(y, 2, w), .load(x, register: 0, r)]], locations: 2,
                        registers: 1)
                ))
            list.append(
                (
                    "S \(name)",
                    M.Program(
                        [[.store(x, 2, w), .store(y, 1, w)], [.load(y, register: 0, r), .store(x, 1, w)]], locations: 2,
                        registers: 1)
                ))
        }
        for fence in [M.Order.release, .acquire, .acquiringAndReleasing, .sequentiallyConsistent] {
            list.append(
                (
                    "MP fences \(fence.name)",
                    M.Program(
                        [
                            [.store(x, 1, .relaxed), .fence(fence), .store(y, 1, .relaxed)],
                            [.load(y, register: 0, .relaxed), .fence(fence), .load(x, register: 1, .relaxed)],
                        ], locations: 2, registers: 2)
                ))
            list.append(
                (
                    "SB fences \(fence.name)",
                    M.Program(
                        [
                            [.store(x, 1, .relaxed), .fence(fence), .load(y, register: 0, .relaxed)],
                            [.store(y, 1, .relaxed), .fence(fence), .load(x, register: 1, .relaxed)],
                        ], locations: 2, registers: 2)
                ))
        }
        for order in [M.Order.relaxed, .acquiringAndReleasing, .sequentiallyConsistent] {
            list.append(
                (
                    "two adds \(order.name)",
                    M.Program(
                        [[.add(x, 1, register: 0, order)], [.add(x, 1, register: 1, order)]], locations: 1, registers: 2
                    )
                ))
            list.append(
                (
                    "release sequence \(order.name)",
                    M.Program(
                        [
                            [.store(x, 1, .relaxed), .store(y, 1, .release)], [.add(y, 1, register: 2, order)],
                            [.load(y, register: 0, .acquire), .load(x, register: 1, .relaxed)],
                        ], locations: 2, registers: 3)
                ))
            list.append(
                (
                    "add and store \(order.name)",
                    M.Program(
                        [
                            [.add(x, 1, register: 0, order), .load(y, register: 1, order)],
                            [.store(y, 1, order), .store(x, 5, order)],
                        ], locations: 2, registers: 2)
                ))
        }
        return list
    }

    @Test("the operational model (views, one step at a time) finds exactly RC11's outcomes, test by test")
    func operationalMatchesAxiomatic() {
        var compared = 0
        for (name, program) in Self.programs {
            let operational = M.operationalOutcomes(of: program)
            let axiomatic = M.allowedOutcomes(of: program)
            #expect(
                operational == axiomatic,
                "\(name): only operationally \(Set(operational).subtracting(axiomatic).map { "\($0) memory \($0.memory)" }), only in RC11 \(Set(axiomatic).subtracting(operational).map { "\($0) memory \($0.memory)" })"
            )
            compared += 1
        }
        #expect(compared >= 60)
    }
}
