#!/usr/bin/env bash
# misuse.sh: a user's mistakes are answers, not traps.
#
# Runs the tests of Examples/Misuse, each of which misuses a public entry point on
# purpose (0 workers, 0 runs, 0 explorer workers, 0 samples, a schedule string of
# another program, a negative duration), beside one test that uses racelab properly.
# Checks that the run went to its end (no trap ended `swift test`), that each misuse
# test failed with one readable sentence (naming the argument and what is accepted,
# or where the schedule stopped matching), and that the good test passed.
#
# Usage: scripts/misuse.sh        prints the runner's lines that matter, then ok/FAILED
# Exit 0 when all of that holds, 1 when it does not, 2 when the package does not build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

package=Examples/Misuse
swift build --build-tests --package-path "$package" >&2 || { echo "misuse: build failed" >&2; exit 2; }
out="$(swift test --skip-build --package-path "$package" 2>&1 || true)"
grep -E '^(✘|✔) Test "|^↳ schedule|^✘ Test run|^✔ Test run' <<<"$out" | grep -v 'failed after' || true

bad=()
grep -qE '^✘ Test run with 7 tests in 1 suite failed after .* with 6 issues' <<<"$out" \
    || bad+=("the run did not reach its end with 7 tests and 6 issues")
grep -qE 'Fatal error|Illegal instruction|Precondition failed|signal [0-9]+' <<<"$out" && bad+=("something trapped")
for name in "0 workers" "0 runs" "0 threads for the explorer" "0 samples" "a negative duration"; do
    grep -qE "^✘ Test \"$name\" recorded an issue at .*Caught error: [A-Za-z.]+\(.*\): expected " <<<"$out" \
        || bad+=("'$name' did not fail with a sentence naming its argument")
done
grep -qE '^↳ schedule "0000000011111111" does not match this test: step [0-9]+: ' <<<"$out" \
    || bad+=("the foreign schedule did not say where it stopped matching")
grep -qE '^✔ Test "a good test in the same run still passes" passed' <<<"$out" \
    || bad+=("the good test did not pass")

if [ "${#bad[@]}" -gt 0 ]; then
    printf 'FAILED: %s\n' "${bad[@]}"
    exit 1
fi
echo "ok: 6 misuse tests failed, each with a sentence; the run went on; the good test passed"
