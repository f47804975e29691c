import RaceLab
import Testing

extension Trait where Self == ConditionTrait {
    /// Runs the test only where this process may use 2 or more CPUs, and skips it
    /// elsewhere saying why (`taskset -c 0`, a cpuset of one CPU): a race between
    /// workers needs them running at the same time, so a racy form's test that expects
    /// its issue cannot pass there. It reads the CPU affinity: a container limited by a
    /// CPU quota (`--cpus=1`) still counts every CPU.
    ///
    ///     @Test(.requiresParallelCPUs) func racyCacheBuildsTwice() async throws { ... }
    public static var requiresParallelCPUs: Self {
        .enabled(if: CPUSet.current().count >= 2, "needs 2 or more CPUs: the workers must run at the same time")
    }
}
