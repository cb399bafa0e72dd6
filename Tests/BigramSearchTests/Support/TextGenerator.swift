import Foundation

// Generated document text for the writer tests (WriterLifecycleTests and the crash harness):
// slices of the seed pages with Latin words between them, and unique marker words.

/// The text of the seed pages, each followed by a blank line, as characters.
func seedCharacters() throws -> [Character] {
    Array(try Seeds.texts().map { $0 + "\n\n" }.joined())
}

/// A word of letters only, unique for each `n` (one token for the analyzer; "mk" + base 26).
func marker(_ n: Int, prefix: String = "mk") -> String {
    var n = n, s = ""
    repeat { s.append(Character(UnicodeScalar(UInt8(97 + n % 26)))); n /= 26 } while n > 0
    return prefix + s
}

/// Generates document text: slices of the seed pages with Latin words between them.
struct TextGenerator {
    /// Latin words put between the slices.
    static let latinWords = ["linux", "swift", "kernel", "search", "index", "unicode", "gpu", "bigram", "apple", "server",
                               "merge", "segment", "commit", "buffer", "delete", "update", "query", "token", "phrase", "rank"]

    let seed: [Character]
    var rng: SplitMix64

    init(seed: [Character], rng: UInt64) { self.seed = seed; self.rng = SplitMix64(rng) }

    mutating func slice(_ length: ClosedRange<Int>) -> String {
        let n = min(seed.count, rng.int(length))
        let start = rng.int(0...(seed.count - n))
        return String(seed[start..<(start + n)]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    mutating func body(parts: ClosedRange<Int> = 2...5) -> String {
        var out: [String] = []
        for _ in 0..<rng.int(parts) {
            out.append(slice(8...80))
            if rng.chance(30) { out.append(rng.pick(Self.latinWords)) }
            if rng.chance(10) { out.append("\(rng.pick(Self.latinWords))\(slice(2...4))") }
        }
        return out.joined(separator: rng.chance(50) ? " " : "，")
    }

    mutating func title() -> String { slice(4...14) }
}
