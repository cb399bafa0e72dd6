/// A small deterministic pseudo-random generator (SplitMix64), so that a given `--seed` makes
/// the same scaled corpus and the same queries on every platform and Swift version.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (`bound` > 0), by multiply-high (bias below 2⁻³² for our sizes).
    mutating func next(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A number in `range`.
    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.count)
    }

    /// A random element of a non-empty collection, or nil when it is empty.
    mutating func element<C: RandomAccessCollection>(of c: C) -> C.Element? where C.Index == Int {
        c.isEmpty ? nil : c[c.startIndex + next(below: c.count)]
    }
}
