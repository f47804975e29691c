// bench_dictionary.swift: the Swift side of bench.sh's cache breakdown.
//
// racelab's `locked` cache is `lock; dict[key, default: 0] &+= 1; unlock` over a
// Swift Dictionary kept behind a pointer (RaceLabSync/Shared/Locked.swift), with keys from
// KeyStream (SplitMix64, seed 42, Lemire's reduction). This program runs that same
// loop on one thread, with the pthread mutex (`locked`) or without it (`map`), so
// bench.sh can say how much of the locked cache's cost is the Dictionary itself.
//
//   swiftc -O -o scripts/bin/bench_dictionary scripts/bench_dictionary.swift
//   bench_dictionary map|locked <iterations> [keys, default 64]
// Prints ns/op. Exits 64 on bad usage, 1 if the counts do not add up.
import Glibc

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, ["map", "locked"].contains(arguments[1]), let iterations = Int(arguments[2]),
    iterations > 0, let keys = UInt64(arguments.count > 3 ? arguments[3] : "64"), keys > 0
else {
    fputs("usage: bench_dictionary map|locked <iterations> [keys]\n", stderr)
    exit(64)
}
let isLocked = arguments[1] == "locked"

let storage = UnsafeMutablePointer<[Int: Int]>.allocate(capacity: 1)
storage.initialize(to: [:])
let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
pthread_mutex_init(mutex, nil)

@inline(__always) func increment(_ key: Int) { storage.pointee[key, default: 0] &+= 1 }

var state: UInt64 = 42 &+ 0x9E37_79B9_7F4A_7C15  // worker 0's stream
let started = now()
for _ in 0..<iterations {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    let key = keys == 1 ? 0 : Int(z.multipliedFullWidth(by: keys).high)
    if isLocked {
        pthread_mutex_lock(mutex)
        increment(key)
        pthread_mutex_unlock(mutex)
    } else {
        increment(key)
    }
}
let elapsed = now() - started
print(Double(elapsed) / Double(iterations))
guard storage.pointee.values.reduce(0, +) == iterations else {
    fputs("bench_dictionary: counts do not add up\n", stderr)
    exit(1)
}
