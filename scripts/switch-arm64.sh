#!/usr/bin/env bash
# The coroutine switch on arm64: builds scripts/switch_loop.c with CRaceLabShims' C file
# for aarch64 (Debian's gcc-aarch64-linux-gnu) and runs it under qemu-user, which checks
# that a million round trips keep every register they must, and prints ns per round trip
# (emulated: a check of correctness, not a speed). Also the native build, for comparison.
# Exit 0 when both pass; 2 when the cross tools are missing (it says which to install).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-O2 -D_GNU_SOURCE -w -ISources/CRaceLabShims/include)
cc "${flags[@]}" -o "$work/switch-native" scripts/switch_loop.c Sources/CRaceLabShims/shims.c -lpthread
echo "native ($(uname -m)):"
"$work/switch-native"
if ! command -v aarch64-linux-gnu-gcc > /dev/null || ! command -v qemu-aarch64 > /dev/null; then
    echo "switch-arm64: needs aarch64-linux-gnu-gcc and qemu-aarch64 (apt-get install gcc-aarch64-linux-gnu qemu-user)" >&2
    exit 2
fi
aarch64-linux-gnu-gcc "${flags[@]}" -o "$work/switch-arm64" scripts/switch_loop.c Sources/CRaceLabShims/shims.c -lpthread
echo "arm64 (qemu-user):"
qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/switch-arm64"
