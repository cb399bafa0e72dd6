@testable import BigramSearch
import Foundation

// The first highlighter, kept as a reference for the current one (StoredTextTests): the same
// ranges and snippets, computed with dictionaries keyed by position.

struct OldHighlighter {
    let analyzer: any Analyzer
    let options: HighlightOptions

    /// What stands at each position of an analyzed text.
    private struct PositionMap: TokenSink {
        var keys: [Int: [[UInt8]]] = [:]
        /// The input range of the character or word at each position.
        var ranges: [Int: Range<Int>] = [:]

        mutating func cjkTerm(_ key: UInt64, position: Int, utf8Start: Int, utf8End: Int) {
            keys[position, default: []].append(TermKey.bytes(ofCJK: key))
            if ranges[position] == nil && TermKey.isUnigram(key) { ranges[position] = utf8Start..<utf8End }
        }
        mutating func wordTerm(_ utf8: borrowing [UInt8], position: Int, utf8Start: Int, utf8End: Int) {
            keys[position, default: []].append(copy utf8)
            ranges[position] = utf8Start..<utf8End
        }
        mutating func runEnded(_ character: UInt32, position: Int, utf8Start: Int, utf8End: Int) {
            keys[position, default: []].append(TermKey.bytes(ofCJK: TermKey.runEnd(character)))
        }
        mutating func character(position: Int, utf8Start: Int, utf8End: Int) {
            ranges[position] = utf8Start..<utf8End
        }
    }

    private func positionMap(of text: String) -> PositionMap {
        var map = PositionMap()
        if let bigram = analyzer as? BigramAnalyzer {
            bigram.analyze(text, into: &map)
        } else {
            for t in analyzer.tokens(in: text) {
                map.keys[t.position, default: []].append(TermKey(term: t.term).bytes)
                map.ranges[t.position] = map.ranges[t.position].map { min($0.lowerBound, t.utf8Range.lowerBound)..<max($0.upperBound, t.utf8Range.upperBound) } ?? t.utf8Range
            }
        }
        return map
    }

    /// The matched ranges of `text` for `patterns`, merged and ascending.
    func matchRanges(in text: String, patterns: [PhrasePattern]) -> [Range<Int>] {
        if patterns.isEmpty { return [] }
        let map = positionMap(of: text)
        var found: [Range<Int>] = []
        for pattern in patterns {
            guard let first = pattern.elements.first else { continue }
            for (p, _) in map.keys where Self.matches(first.match, map.keys[p]) {
                let base = p - first.offset
                guard pattern.elements.allSatisfy({ Self.matches($0.match, map.keys[base + $0.offset]) }) else { continue }
                var lo = Int.max, hi = Int.min
                for e in pattern.elements {
                    var end = base + e.offset
                    if case .key(let k) = e.match, Self.isCJKBigram(k) { end += 1 }
                    for q in (base + e.offset)...end {
                        if let r = map.ranges[q] { lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound) }
                    }
                }
                if lo < hi { found.append(lo..<hi) }
            }
        }
        found.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for r in found {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }

    private static func matches(_ m: PhrasePattern.Element.Match, _ keys: [[UInt8]]?) -> Bool {
        guard let keys else { return false }
        switch m {
        case .key(let k): return keys.contains(k)
        case .keyPrefix(let p): return keys.contains { $0.starts(with: p) }
        }
    }

    /// A CJK bigram key covers two positions: its bytes are two CJK characters.
    private static func isCJKBigram(_ key: [UInt8]) -> Bool {
        guard let lead = key.first, lead >= 0xE1 else { return false }
        let s = String(decoding: key, as: UTF8.self).unicodeScalars
        return s.count == 2 && s.allSatisfy { CharacterClass.of($0.value).isCJK }
    }

    /// A window of about `snippetLength` characters around the best stretch of matches, with
    /// matches marked. Whitespace runs become one space, and vanish between two CJK characters
    /// (line wraps).
    func snippet(of text: String, ranges: [Range<Int>]) -> String {
        let u = text.utf8
        let length = options.snippetLength
        // Pick the match whose following window holds the most matches (earliest on ties).
        var bestStart = 0, bestCount = -1
        for (i, r) in ranges.enumerated() {
            let limit = r.lowerBound + length * 3
            var n = 0
            for s in ranges[i...] where s.lowerBound < limit { n += 1 }
            if n > bestCount { bestCount = n; bestStart = r.lowerBound }
        }
        // Start a third of the window before the match, on a character boundary.
        var start = u.index(u.startIndex, offsetBy: min(bestStart, u.count))
        start = text.index(start, offsetBy: -(length / 3), limitedBy: text.startIndex) ?? text.startIndex
        start = text.rangeOfComposedCharacterSequence(at: start).lowerBound
        var out = start > text.startIndex ? "…" : ""
        var index = start
        var taken = 0
        var rangeIndex = 0
        var pendingSpace = false
        var previousIsCJK = false
        while index < text.endIndex && taken < length {
            let offset = u.distance(from: u.startIndex, to: index)
            while rangeIndex < ranges.count && ranges[rangeIndex].upperBound <= offset {
                rangeIndex += 1
            }
            let ch = text[index]
            if ch.isWhitespace {
                pendingSpace = true
            } else {
                let isCJK = ch.unicodeScalars.first.map { CharacterClass.of($0.value).isCJK } ?? false
                if pendingSpace && !(isCJK && previousIsCJK) { out.append(" ") }
                pendingSpace = false
                if rangeIndex < ranges.count && ranges[rangeIndex].lowerBound == offset { out += options.before }
                out.append(ch)
                let next = u.distance(from: u.startIndex, to: text.index(after: index))
                if rangeIndex < ranges.count && ranges[rangeIndex].lowerBound <= offset && ranges[rangeIndex].upperBound <= next {
                    out += options.after
                    rangeIndex += 1
                }
                previousIsCJK = isCJK
                taken += 1
            }
            index = text.index(after: index)
        }
        // Close a mark left open by the window's end.
        if rangeIndex < ranges.count, ranges[rangeIndex].lowerBound < u.distance(from: u.startIndex, to: index),
           out.hasSuffix(options.after) == false, out.contains(options.before) {
            out += options.after
        }
        if index < text.endIndex { out += "…" }
        return out
    }
}
