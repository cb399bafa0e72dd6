/// Which scripts form CJK runs (TheContract.md, analysis rule 3), by code point. The ranges are those of the
/// project's reference oracle, so index and reference agree on what a "CJK character" is.
enum CharacterClass: UInt8, Sendable {
    /// Han ideographs, Hiragana, Katakana (and 々 〇 〡–〩 〸–〻): runs continue across whitespace.
    case hanKana
    /// Hangul syllables and jamo: runs end at whitespace (Korean separates words with spaces).
    case hangul
    /// Whitespace (`\s` in the reference: Unicode White_Space plus the ASCII separators).
    case space
    /// Everything else: letters, digits, punctuation, symbols.
    case other

    @inline(__always)
    static func of(_ c: UInt32) -> CharacterClass {
        if c < 0x80 {
            return (c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) ? .space : .other
        }
        if c >= 0x4E00 && c <= 0x9FFF { return .hanKana }
        if c < 0x1100 { return (c == 0x85 || c == 0xA0) ? .space : .other }
        if c <= 0x11FF { return .hangul }
        if c < 0x3000 {
            if c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F {
                return .space
            }
            return .other
        }
        if c <= 0x303F {
            if c == 0x3000 { return .space }
            if c == 0x3005 || c == 0x3007 || (c >= 0x3021 && c <= 0x3029) || (c >= 0x3038 && c <= 0x303B) {
                return .hanKana
            }
            return .other
        }
        if c <= 0x309F { return c >= 0x3041 ? .hanKana : .other }
        if c <= 0x30FF { return .hanKana }
        if c >= 0x3130 && c <= 0x318F { return .hangul }
        if c >= 0x31F0 && c <= 0x31FF { return .hanKana }
        if c >= 0x3400 && c <= 0x4DBF { return .hanKana }
        if c >= 0xA960 && c <= 0xA97F { return .hangul }
        if c >= 0xAC00 && c <= 0xD7FF { return .hangul }
        if c >= 0xF900 && c <= 0xFAFF { return .hanKana }
        if c >= 0x1B000 && c <= 0x1B16F { return .hanKana }
        if c >= 0x20000 && c <= 0x323AF { return .hanKana }
        return .other
    }

    @inline(__always) var isCJK: Bool { self == .hanKana || self == .hangul }
}
