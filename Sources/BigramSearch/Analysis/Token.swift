/// One term of analyzed text, with where it sits and where it came from.
public struct Token: Hashable, Sendable {
    /// What kind of term this is.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// Two neighbouring CJK characters (`小微`).
        case bigram
        /// One CJK character: a run of one character, or every character when unigrams are on.
        case unigram
        /// A letter or number segment of ICU word breaking (`linux`, `2000`, `3.3`).
        case word
    }

    /// The normalized term (`ＡＢＣ` gives `abc`).
    public var term: String
    /// What kind of term it is.
    public var kind: Kind
    /// Position in the field. A CJK run takes one position per character (its bigrams start at
    /// consecutive positions); a word takes one. Spaces and punctuation take none.
    public var position: Int
    /// The range of the original text this term came from, as UTF-8 byte offsets.
    public var utf8Range: Range<Int>

    /// A token; custom analyzers make these.
    public init(term: String, kind: Kind, position: Int, utf8Range: Range<Int>) {
        self.term = term
        self.kind = kind
        self.position = position
        self.utf8Range = utf8Range
    }

    /// The range of `text` (the string that was analyzed) this term came from.
    ///
    /// - Complexity: O(1) for native Swift strings.
    public func range(in text: String) -> Range<String.Index> {
        let u = text.utf8
        let lower = u.index(u.startIndex, offsetBy: utf8Range.lowerBound)
        let upper = u.index(lower, offsetBy: utf8Range.count)
        return lower..<upper
    }
}

/// Converts UTF-8 offsets of a string to UTF-16 or Unicode-scalar offsets, for callers (and
/// JavaScript/Java/Objective-C consumers) that count in those units.
public struct TextOffsets: Sendable {
    /// The unit to count in.
    public enum Unit: String, Sendable, CaseIterable { case utf8, utf16, scalar }

    private let utf8ToUTF16: [Int32]
    private let utf8ToScalar: [Int32]

    /// Prepares conversions for `text`.
    ///
    /// - Complexity: O(n) in the UTF-8 length of `text`, once; each conversion is then O(1).
    public init(_ text: String) {
        var toUTF16 = [Int32](repeating: 0, count: text.utf8.count + 1)
        var toScalar = toUTF16
        var u8 = 0, u16: Int32 = 0, sc: Int32 = 0
        for s in text.unicodeScalars {
            let len = UTF8.width(s)
            for k in 0..<len { toUTF16[u8 + k] = u16; toScalar[u8 + k] = sc }
            u8 += len
            u16 += Int32(UTF16.width(s))
            sc += 1
        }
        toUTF16[u8] = u16
        toScalar[u8] = sc
        utf8ToUTF16 = toUTF16
        utf8ToScalar = toScalar
    }

    /// The offset in `unit` of the UTF-8 offset `utf8Offset`.
    public func offset(_ utf8Offset: Int, in unit: Unit) -> Int {
        switch unit {
        case .utf8: return utf8Offset
        case .utf16: return Int(utf8ToUTF16[utf8Offset])
        case .scalar: return Int(utf8ToScalar[utf8Offset])
        }
    }

    /// `range` (UTF-8 offsets) converted to `unit`.
    public func range(_ range: Range<Int>, in unit: Unit) -> Range<Int> {
        offset(range.lowerBound, in: unit)..<offset(range.upperBound, in: unit)
    }
}
