/// How the index names a term without building a `String` for it.
///
/// A CJK term is one 64-bit key: a bigram `c1 c2` is `c1 << 32 | c2`, a unigram `c` is `c << 32`
/// (so a unigram sorts just before the bigrams that start with it, and "every term starting with
/// `c`" is the key range `c << 32 ..< (c + 1) << 32`). Anything else is a word, named by its UTF-8.
enum TermKey: Hashable, Sendable {
    case cjk(UInt64)
    case word([UInt8])

    @inline(__always) static func bigram(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << 32 | UInt64(b) }
    @inline(__always) static func unigram(_ c: UInt32) -> UInt64 { UInt64(c) << 32 }
    @inline(__always) static func first(_ key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key >> 32) }
    @inline(__always) static func second(_ key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key) }
    @inline(__always) static func isUnigram(_ key: UInt64) -> Bool { UInt32(truncatingIfNeeded: key) == 0 }
    /// The index's marker for "`c` ends a CJK run of two or more characters" (never a token).
    @inline(__always) static func runEnd(_ c: UInt32) -> UInt64 { UInt64(c) << 32 | 1 }

    /// The dictionary bytes of a CJK key: UTF-8 of the first character, then UTF-8 of the second,
    /// or 0x00 for a unigram, 0x01 for a run-end marker. Byte order equals key order, and the
    /// keys of every term at whose position character `c` stands share the prefix UTF-8(c).
    static func bytes(ofCJK key: UInt64, into out: inout [UInt8]) {
        appendUTF8(first(key), to: &out)
        let s = second(key)
        if s <= 1 { out.append(UInt8(s)) } else { appendUTF8(s, to: &out) }
    }

    static func bytes(ofCJK key: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8)
        bytes(ofCJK: key, into: &out)
        return out
    }

    /// The dictionary bytes of this term.
    var bytes: [UInt8] {
        switch self {
        case .cjk(let k): return Self.bytes(ofCJK: k)
        case .word(let w): return w
        }
    }

    @inline(__always) static func appendUTF8(_ c: UInt32, to out: inout [UInt8]) {
        if c < 0x80 {
            out.append(UInt8(c))
        } else if c < 0x800 {
            out.append(UInt8(0xC0 | c >> 6)); out.append(UInt8(0x80 | c & 0x3F))
        } else if c < 0x10000 {
            out.append(UInt8(0xE0 | c >> 12)); out.append(UInt8(0x80 | c >> 6 & 0x3F)); out.append(UInt8(0x80 | c & 0x3F))
        } else {
            out.append(UInt8(0xF0 | c >> 18)); out.append(UInt8(0x80 | c >> 12 & 0x3F))
            out.append(UInt8(0x80 | c >> 6 & 0x3F)); out.append(UInt8(0x80 | c & 0x3F))
        }
    }

    /// The key of a term string produced by any analyzer: one or two CJK characters make a CJK
    /// key, anything else is a word.
    init(term: String) {
        let scalars = term.unicodeScalars
        var it = scalars.makeIterator()
        if let a = it.next(), CharacterClass.of(a.value).isCJK {
            if let b = it.next() {
                if CharacterClass.of(b.value).isCJK, it.next() == nil {
                    self = .cjk(Self.bigram(a.value, b.value))
                    return
                }
            } else {
                self = .cjk(Self.unigram(a.value))
                return
            }
        }
        self = .word(Array(term.utf8))
    }

    /// The term as text.
    var text: String {
        switch self {
        case .word(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .cjk(let key): return Self.text(ofCJK: key)
        }
    }

    static func text(ofCJK key: UInt64) -> String {
        var s = String(Character(Unicode.Scalar(first(key)) ?? "\u{FFFD}"))
        if !isUnigram(key) { s.unicodeScalars.append(Unicode.Scalar(second(key)) ?? "\u{FFFD}") }
        return s
    }
}
