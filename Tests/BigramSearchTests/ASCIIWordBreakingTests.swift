import Testing
@testable import BigramSearch

/// The analyzer's ASCII fast path must segment exactly as ICU's dictionary-free word rules do.
@Suite(.checksSegmentInvariants) struct ASCIIWordBreakingTests {
    /// ICU iterators are not thread-safe and tests run in parallel: go through a pool.
    static let breakers = try! WordBreakerPool(.dictionaryFree)

    static func icuWords(_ units: [UInt16]) throws -> [[Int32]] {
        var s: [Int32] = [], e: [Int32] = []
        #expect(breakers.withBreaker { $0.words(in: units, 0..<units.count, starts: &s, ends: &e) })
        return zip(s, e).map { [$0, $1] }
    }

    static func fastWords(_ units: [UInt16]) -> [[Int32]] {
        var s: [Int32] = [], e: [Int32] = []
        ASCIIWordBreaking.words(in: units, 0..<units.count, starts: &s, ends: &e)
        return zip(s, e).map { [$0, $1] }
    }

    @Test func agreesWithICUOnRandomASCII() throws {
        var rng = SplitMix64(state: 42)
        // Weighted toward the characters the rules care about.
        let alphabet = Array("abcxyz0123456789.,;:'\"-+/!?() \t\n\r@#$%&*=<>[]{}|\\~`^".utf16)
            + (0..<32).map(UInt16.init) + [0x7F]
            + [0x3000, 0x3001, 0x3002, 0x3008, 0x300A, 0x300B, 0x3010, 0x3011, 0x3014, 0x301F, 0x2013, 0x2014, 0x2015, 0x201C, 0x201D]
        for _ in 0..<3000 {
            let n = 1 + rng.below(24)
            let units = (0..<n).map { _ in alphabet[rng.below(alphabet.count)] }
            let icu = try Self.icuWords(units), fast = Self.fastWords(units)
            #expect(icu == fast, "\(String(decoding: units, as: UTF16.self).debugDescription)")
            if icu != fast { return }
        }
    }

    @Test func knownCases() throws {
        for text in ["example.com", "can't", "3.3", "10,000", "1;2", "a.1", "1.a", "v1.2", "a..b", "a.", ".a", "e.g.", "x86", "a'b'c", "1'000"] {
            let units = Array(text.utf16)
            #expect(try Self.icuWords(units) == Self.fastWords(units), "\(text)")
        }
    }
}
