/// Where a query matched in one field of a hit.
///
/// Encoded (`Encodable`) as `{"field", "utf8": [[lo, hi], …], "utf16": [[lo, hi], …], "snippet"}`:
/// the matched ranges as half-open UTF-8 byte offsets and UTF-16 code unit offsets (what
/// JavaScript's `String.prototype.slice` takes) into the field's stored text, and the snippet.
public struct FieldHighlight: Sendable, Hashable, Encodable {
    /// The field's name.
    public var field: String
    /// The matched ranges of the field's original text, as UTF-8 byte offsets, ascending and
    /// non-overlapping. Convert with ``TextOffsets`` or ``ranges(in:)``.
    ///
    /// For a field longer than 192 KiB (three stored chunks of 64 KiB), only the window around
    /// the best match is read to show a hit: the ranges are then those of that window (about
    /// 128–192 KiB of text around the snippet), still as offsets into the whole field.
    public var utf8Ranges: [Range<Int>]
    /// A window of the text around the best match, matches marked. "…" marks text left out
    /// before or after it. Spaces and tabs are kept as they are; a run of whitespace holding a
    /// line break is shown as one space, and whitespace between two CJK characters (a line
    /// wrap, which the index joins) is left out.
    public var snippet: String
    /// ``utf8Ranges`` as UTF-16 code unit offsets into the field's text, computed when the
    /// highlight is made. Nil only for a field longer than 192 KiB whose best match lies beyond
    /// its first chunks: the offsets would need the whole text before the window (read with
    /// ``ranges(in:)`` or ``TextOffsets`` from the stored text instead).
    public var utf16Ranges: [Range<Int>]?

    /// A highlight of `field` with its ranges in UTF-8 and UTF-16 offsets.
    public init(field: String, utf8Ranges: [Range<Int>], utf16Ranges: [Range<Int>]?, snippet: String) {
        self.field = field
        self.utf8Ranges = utf8Ranges
        self.utf16Ranges = utf16Ranges
        self.snippet = snippet
    }

    private enum CodingKeys: String, CodingKey { case field, utf8, utf16, snippet }

    /// Encodes `field`, `utf8` and `utf16` (ranges as `[lo, hi]` pairs; `utf16` is `null` when
    /// ``utf16Ranges`` is nil) and `snippet`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(field, forKey: .field)
        try c.encode(utf8Ranges.map { [$0.lowerBound, $0.upperBound] }, forKey: .utf8)
        if let utf16Ranges {
            try c.encode(utf16Ranges.map { [$0.lowerBound, $0.upperBound] }, forKey: .utf16)
        } else {
            try c.encodeNil(forKey: .utf16)
        }
        try c.encode(snippet, forKey: .snippet)
    }

    /// The matched ranges as indices of `text` (the field's stored text).
    public func ranges(in text: String) -> [Range<String.Index>] {
        let u = text.utf8
        return utf8Ranges.map { u.index(u.startIndex, offsetBy: $0.lowerBound)..<u.index(u.startIndex, offsetBy: $0.upperBound) }
    }
}

extension FieldHighlight {
    /// `ranges` (ascending, non-overlapping UTF-8 offsets into `text`, shifted by `base`) as
    /// UTF-16 offsets, with `base16` the UTF-16 offset of `text`'s start.
    ///
    /// - Complexity: O(n) in the UTF-8 length of `text` up to the last range's end.
    static func utf16(_ ranges: [Range<Int>], in text: String, base: Int = 0, base16: Int = 0) -> [Range<Int>] {
        guard !ranges.isEmpty else { return [] }
        var out: [Range<Int>] = []
        out.reserveCapacity(ranges.count)
        var u8 = 0, u16 = 0
        var scalars = text.unicodeScalars.makeIterator()
        var pendingLower: Int?
        var i = 0
        func advance(to target: Int) {
            while u8 < target, let s = scalars.next() {
                u8 += UTF8.width(s)
                u16 += UTF16.width(s)
            }
        }
        while i < ranges.count {
            let r = ranges[i]
            if pendingLower == nil {
                advance(to: r.lowerBound - base)
                pendingLower = u16
            } else {
                advance(to: r.upperBound - base)
                out.append((base16 + pendingLower!)..<(base16 + u16))
                pendingLower = nil
                i += 1
            }
        }
        return out
    }
}
