import RaceLab
import RaceLabModel

/// The deterministic sequence of operations one worker performs on a keyed
/// workload: which key, and whether it is a lookup or an update.
///
/// Deterministic per (seed, worker), so a run is repeatable and the expected
/// per-key totals can be recomputed afterwards by replaying the stream, instead
/// of counting inside the timed loop.
package struct KeyStream {
    // @usableFromInline: the scenarios replay streams in their own module, once per
    // operation, to know what every key should hold; `next` inlines there too.
    @usableFromInline var state: UInt64
    @usableFromInline let keys: UInt64
    @usableFromInline let readPercent: UInt64
    /// Cumulative Zipf weights scaled to 2^53, or nil for uniform draws.
    @usableFromInline let zipf: ZipfTable?

    package init(seed: UInt64, worker: Int, keys: Int, readPercent: Int, zipf: ZipfTable?) {
        state = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(worker + 1)
        self.keys = UInt64(keys)
        self.readPercent = UInt64(readPercent)
        self.zipf = zipf
    }

    /// SplitMix64: fast, good enough for picking keys.
    @inlinable @inline(__always)
    mutating func nextRandom() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next operation: a key in 0..<keys and whether it only reads.
    @inlinable @inline(__always)
    package mutating func next() -> (key: Int, isRead: Bool) {
        // A draw of its own for the read decision, so it is unbiased and independent of the key.
        let isRead = readPercent > 0 && nextRandom().multipliedFullWidth(by: 100).high < readPercent
        let random = nextRandom()
        if keys == 1 { return (0, isRead) }
        if let zipf { return (zipf.key(for: random & ((1 << 53) - 1)), isRead) }
        // Lemire's multiply-shift: uniform in 0..<keys without a division.
        return (Int(random.multipliedFullWidth(by: keys).high), isRead)
    }
}

/// Zipf (s = 1) over `keys` keys as a cumulative table: key k has weight 1/(k+1).
package final class ZipfTable: Sendable {
    @usableFromInline let cumulative: [UInt64]

    package init(keys: Int) {
        var weights = [Double](repeating: 0, count: keys)
        var total = 0.0
        for k in 0..<keys {
            total += 1.0 / Double(k + 1)
            weights[k] = total
        }
        let scale = Double(UInt64(1) << 53)
        cumulative = weights.map { UInt64($0 / total * scale) }
    }

    /// The key whose cumulative weight first exceeds `point` (in 0..<2^53).
    @inlinable @inline(__always)
    package func key(for point: UInt64) -> Int {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > point { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

/// Keeps a value alive past the optimiser, so lookups whose result is otherwise
/// unused are really performed.
@inline(never)
package func blackHole(_ value: Int) {
    if value == Int.min { print("", terminator: "") }
}
