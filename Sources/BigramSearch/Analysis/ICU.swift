import ICUShim

/// Safe Swift faces of the ICU calls in `ICUShim`. This file is the library's only C interop for
/// ICU: nothing else imports `ICUShim`.
enum ICU {
    /// NFKC_Casefold of a short UTF-16 string (a normalization chunk). Returns nil on an ICU error.
    static func nfkcCasefold(_ source: [UInt16]) -> [UInt16]? {
        if source.isEmpty { return [] }
        var capacity = max(8, source.count * 4)
        while true {
            var out = [UInt16](repeating: 0, count: capacity)
            let n = source.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    bs_nfkc_casefold(src.baseAddress!, Int32(src.count), dst.baseAddress!, Int32(dst.count))
                }
            }
            if n < 0 { return nil }
            if Int(n) <= capacity {
                out.removeLast(capacity - Int(n))
                return out
            }
            capacity = Int(n)
        }
    }

    /// NFKC_Casefold facts for the whole BMP (see `bs_nfkc_casefold_bmp_table`): the single-code-
    /// point normalization of each code point (or `UInt32.max`), and boundary-before bits.
    static func nfkcCasefoldBMPTable() -> (single: [UInt32], boundaryBefore: [UInt64])? {
        var single = [UInt32](repeating: 0, count: 0x10000)
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        let rc = single.withUnsafeMutableBufferPointer { s in
            bits.withUnsafeMutableBufferPointer { b in bs_nfkc_casefold_bmp_table(s.baseAddress!, b.baseAddress!) }
        }
        return rc == 0 ? (single, bits) : nil
    }

    /// True when NFKC_Casefold never combines `scalar` with what precedes it.
    static func hasNormalizationBoundaryBefore(_ scalar: UInt32) -> Bool {
        bs_nfkc_casefold_has_boundary_before(scalar) != 0
    }

    /// Traditional→Simplified single-character mappings for `range`, from ICU's transliterator.
    static func traditionalToSimplified(_ range: ClosedRange<UInt32>) -> [UInt32]? {
        var table = [UInt32](repeating: 0, count: Int(range.upperBound - range.lowerBound) + 1)
        var err = [CChar](repeating: 0, count: 256)
        let rc = table.withUnsafeMutableBufferPointer { t in
            err.withUnsafeMutableBufferPointer { e in
                bs_traditional_to_simplified_table(range.lowerBound, range.upperBound, t.baseAddress!,
                                                   e.baseAddress!, e.count)
            }
        }
        return rc == 0 ? table : nil
    }
}

/// An ICU word break iterator (owned handle). Not thread-safe: use one per thread, through
/// ``WordBreakerPool``.
final class WordBreaker {
    private let handle: OpaquePointer

    private init(handle: OpaquePointer) { self.handle = handle }

    enum Kind: Sendable { case dictionaryFree, dictionary }

    /// Compiles ICU's word rules (dictionary-free or the dictionary iterator).
    static func make(_ kind: Kind) throws(AnalysisError) -> WordBreaker {
        var err = [CChar](repeating: 0, count: 256)
        let h: OpaquePointer? = err.withUnsafeMutableBufferPointer { e in
            switch kind {
            case .dictionaryFree: return bs_wordbreaker_create(e.baseAddress!, e.count)
            case .dictionary: return bs_dictionary_wordbreaker_create(e.baseAddress!, e.count)
            }
        }
        guard let h else {
            let message = String(decoding: err.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw AnalysisError.icuUnavailable(message)
        }
        return WordBreaker(handle: h)
    }

    func clone() -> WordBreaker? {
        bs_wordbreaker_clone(handle).map { WordBreaker(handle: $0) }
    }

    deinit { bs_wordbreaker_destroy(handle) }

    /// The word-like segments (letters, numbers, kana, ideographs) of `text[range]`, as UTF-16
    /// offsets relative to `range.lowerBound`, appended to `starts`/`ends`. Returns false on an ICU error.
    func words(in text: [UInt16], _ range: Range<Int>, starts: inout [Int32], ends: inout [Int32]) -> Bool {
        let count = range.count
        if count == 0 { return true }
        let base = starts.count
        starts.append(contentsOf: repeatElement(0, count: count))
        ends.append(contentsOf: repeatElement(0, count: count))
        let n = text.withUnsafeBufferPointer { t in
            starts.withUnsafeMutableBufferPointer { s in
                ends.withUnsafeMutableBufferPointer { e in
                    bs_wordbreaker_words(handle, t.baseAddress! + range.lowerBound, Int32(count),
                                         s.baseAddress! + base, e.baseAddress! + base, Int32(count))
                }
            }
        }
        let kept = max(0, Int(n))
        starts.removeLast(count - kept)
        ends.removeLast(count - kept)
        return n >= 0
    }

    /// Every boundary of `text` (UTF-16 offsets, 0 and `text.count` included).
    func boundaries(in text: [UInt16]) -> [Int32] {
        if text.isEmpty { return [0] }
        var out = [Int32](repeating: 0, count: text.count + 1)
        let n = text.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                bs_wordbreaker_boundaries(handle, t.baseAddress!, Int32(t.count), o.baseAddress!, Int32(o.count))
            }
        }
        out.removeLast(out.count - max(0, Int(n)))
        return out
    }
}

// A WordBreaker is handed to one thread at a time by WordBreakerPool (taken out of the pool's
// mutex-protected array, used, put back), so its ICU handle is never touched concurrently.
extension WordBreaker: @unchecked Sendable {}
