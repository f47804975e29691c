import RaceLab
import RaceLabModel

/// For a strategy whose workers can get stuck for good (a deadlock), run in a child
/// process: a `StallWatch` on the workers' progress (workers that started, plus
/// what they did) that, when nothing has moved for `stallMilliseconds`, hands the
/// scenario's report of who is stuck on what to `ChildReport.deliverAndExit`. Off, it
/// watches nothing. Counting starts matters: a run stuck on its very first operation
/// has started workers, so the watch's clock runs from there.
final class StuckRunWatch: Sendable {
    static let stallMilliseconds = 200

    private let started: PaddedAtomicSlots
    private let watch: StallWatch?

    init(isOn: Bool, progress: @escaping @Sendable () -> Int, report: @escaping @Sendable () -> Observation) {
        let started = PaddedAtomicSlots(count: 1)
        self.started = started
        watch =
            isOn
            ? StallWatch.start(
                stallMilliseconds: Self.stallMilliseconds,
                progress: { started[0].pointee.load(ordering: .relaxed) + progress() },
                onStall: { ChildReport.deliverAndExit(report()) }) : nil
    }

    /// Called by each worker before its first operation.
    func workerStarted() { started[0].pointee.add(1, ordering: .relaxed) }

    func stop() { watch?.stop() }
}
