// Deterministic random numbers for the tests' generated data.

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same sequence on every platform, so
/// that generated documents and queries are the same on every run.
///
/// Two families of methods map the numbers to ranges, and they draw *different* values from the
/// same state; each test keeps the family it was written with (switching would change its
/// generated data):
/// - `int`, `pick`, `chance(_ percent:)` and `below` take `next()` modulo the size of the range;
/// - `uniformInt`, `uniformPick` and `uniformChance(_ probability:)` go through the standard
///   library (`Int.random(in:using:)`, `Double.random(in:using:)`), as does any other use of the
///   generator as a `RandomNumberGenerator`.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(_ seed: UInt64) { state = seed }
    init(state: UInt64) { self.state = state }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // Modulo mappings.

    /// A number in `0..<n` (the same as `int(0..<n)`).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func pick<T>(_ a: [T]) -> T { a[int(0..<a.count)] }
    /// True `percent` times in 100.
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }

    // Standard-library mappings.

    mutating func uniformInt(_ r: Range<Int>) -> Int { Int.random(in: r, using: &self) }
    mutating func uniformInt(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &self) }
    mutating func uniformPick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &self)] }
    /// True with probability `p`.
    mutating func uniformChance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}
