/// ICU's word-break rules (UAX #29, as compiled from ICU's own rule text) restricted to ASCII,
/// evaluated in Swift: the analyzer's fast path for stretches of plain ASCII text, which are most
/// of the non-CJK text of Chinese technical documents. Tests compare it with ICU on random input.
///
/// In ASCII the rules reduce to: letters (and `@`) and digits chain (WB5, WB8–WB10); a letter `.` or `'`
/// between two letters keeps the word whole (WB6–WB7: `example.com`, `can't`); `.` `,` `;` `'`
/// between two digits too (WB11–WB12: `3.3`, `10,000`). Everything else separates words; `_`
/// never reaches here (the analyzer makes connector punctuation a space).
///
/// Besides ASCII, the fast path accepts CJK punctuation whose word-break property is "Other"
/// (``isSeparator(_:)``): like a space, it only ends words, so `Linux。内核` needs no ICU call.
enum ASCIIWordBreaking {
    /// ICU's word rules count `@` as a letter (`$ALetter=[\p{Word_Break=ALetter}@]`), so that an
    /// e-mail address stays whole.
    @inline(__always) static func isLetter(_ u: UInt16) -> Bool { (u | 0x20) &- 0x61 < 26 || u == 0x40 }
    @inline(__always) static func isDigit(_ u: UInt16) -> Bool { u &- 0x30 < 10 }
    @inline(__always) static func isAlnum(_ u: UInt16) -> Bool { isLetter(u) || isDigit(u) }

    /// Non-ASCII punctuation common in Chinese text whose Word_Break property is Other (never
    /// inside a word, never joining two words: not MidLetter/MidNum/MidNumLet like `·` or `’`).
    @inline(__always) static func isSeparator(_ c: UInt32) -> Bool {
        (c >= 0x3000 && c <= 0x3004) || (c >= 0x3008 && c <= 0x3011) || (c >= 0x3014 && c <= 0x301F)
            || (c >= 0x2013 && c <= 0x2015) || c == 0x201C || c == 0x201D
    }

    /// Whether a word may go on after `u` (a UTF-16 unit): letters, digits, and the punctuation
    /// that joins two letters or two digits (`.` `,` `;` `'`, and `:`, which ICU's rules for
    /// some languages join). After any other character, a word before it is final.
    @inline(__always) static func mayContinueWord(_ u: UInt16) -> Bool {
        isAlnum(u) || u == 0x2E || u == 0x2C || u == 0x3B || u == 0x27 || u == 0x3A
    }

    /// Calls `body(start, end)` for each word of the units `unit(k)`, `k` in `range` (ASCII and
    /// ``isSeparator(_:)`` characters only), in order.
    @inline(__always)
    static func forEachWord(in range: Range<Int>, unit: (Int) -> UInt16, _ body: (Int, Int) -> Void) {
        let n = range.upperBound
        var k = range.lowerBound
        while k < n {
            if !isAlnum(unit(k)) { k += 1; continue }
            let s = k
            while true {
                while k < n && isAlnum(unit(k)) { k += 1 }
                if k + 1 < n && isAlnum(unit(k + 1)) {
                    let p = unit(k - 1), m = unit(k), q = unit(k + 1)
                    let letters = isLetter(p) && isLetter(q) && (m == 0x2E || m == 0x27)
                    let digits = isDigit(p) && isDigit(q) && (m == 0x2E || m == 0x2C || m == 0x3B || m == 0x27)
                    if letters || digits { k += 1; continue }
                }
                break
            }
            body(s, k)
        }
    }

    /// The words of `text[range]` (ASCII and ``isSeparator(_:)`` characters only), appended as offsets relative to `range.lowerBound`.
    static func words(in text: [UInt16], _ range: Range<Int>, starts: inout [Int32], ends: inout [Int32]) {
        let base = range.lowerBound
        forEachWord(in: range, unit: { text[$0] }) { s, e in
            starts.append(Int32(s - base))
            ends.append(Int32(e - base))
        }
    }
}
