/// Character classes the benchmark needs to cut sentences and draw queries. They follow the
/// library's contract (Sources/BigramSearch/BigramSearch.docc/TheContract.md) closely enough for choosing test data; the library's own
/// classification is what the results are judged by.
enum CharacterClasses {
    /// Han ideographs (CJK Unified Ideographs and extensions, compatibility ideographs).
    static func isHan(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: return true
        default: return false
        }
    }

    /// Hiragana and Katakana (with the prolonged sound mark).
    static func isKana(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF: return true
        default: return false
        }
    }

    /// Characters across which a line wrap does not break a word.
    static func isHanOrKana(_ s: Unicode.Scalar) -> Bool { isHan(s) || isKana(s) }

    static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
        (s.value >= 0x41 && s.value <= 0x5A) || (s.value >= 0x61 && s.value <= 0x7A)
    }

    static func isASCIIAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        isASCIILetter(s) || (s.value >= 0x30 && s.value <= 0x39)
    }

    /// Sentence-ending punctuation.
    static func isSentenceEnd(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "。", "！", "？", "；", "!", "?", "…": return true
        default: return false
        }
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
}
