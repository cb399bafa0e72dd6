import Testing
@testable import BigramSearch

// The highlighter on its own: match ranges (merged, ascending, on scalar boundaries, across line
// wraps) and snippets (the window at the start and end of the text, marks), from patterns that
// the query compiler makes — no index, no search.

private let analyzer = try! BigramAnalyzer()

/// The patterns of `phrases` (any of them), as a search compiles them.
private func patterns(_ phrases: [String], prefix: Bool = false) -> [PhrasePattern] {
    var compiler = QueryCompiler(schema: .text, analyzer: analyzer)
    _ = try? compiler.compile(.any(phrases.map { .phrase($0, prefix: prefix) }))
    return compiler.leaves
}

private func highlighter(_ length: Int = 80) -> Highlighter {
    Highlighter(analyzer: analyzer, options: HighlightOptions(before: "<", after: ">", snippetLength: length))
}

private func ranges(_ text: String, _ phrases: [String], prefix: Bool = false) -> [Range<Int>] {
    highlighter().matchRanges(in: text, patterns: patterns(phrases, prefix: prefix))
}

/// The UTF-8 range of the first occurrence of `piece` in `text`.
private func utf8Range(of piece: String, in text: String) -> Range<Int> {
    let r = text.range(of: piece)!
    let u = text.utf8
    return u.distance(from: u.startIndex, to: r.lowerBound)..<u.distance(from: u.startIndex, to: r.upperBound)
}

/// Ranges ascending, neither overlapping nor touching, inside the text, on scalar boundaries,
/// each a valid UTF-8 slice.
private func expectWellFormed(_ rs: [Range<Int>], in text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let u = Array(text.utf8)
    for (i, r) in rs.enumerated() {
        #expect(r.lowerBound >= 0 && r.upperBound <= u.count && !r.isEmpty, "\(r) of \(u.count) bytes", sourceLocation: sourceLocation)
        guard r.lowerBound >= 0, r.upperBound <= u.count, !r.isEmpty else { continue }
        if i > 0 { #expect(rs[i - 1].upperBound < r.lowerBound, "\(rs[i - 1]) then \(r)", sourceLocation: sourceLocation) }
        #expect(u[r.lowerBound] & 0xC0 != 0x80, "\(r) starts inside a scalar", sourceLocation: sourceLocation)
        #expect(r.upperBound == u.count || u[r.upperBound] & 0xC0 != 0x80, "\(r) ends inside a scalar", sourceLocation: sourceLocation)
        #expect(String(validating: u[r], as: UTF8.self) != nil, sourceLocation: sourceLocation)
    }
}

@Suite(.checksSegmentInvariants) struct HighlighterTests {
    // MARK: Match ranges

    @Test func overlappingAndAdjacentMatchesAreMerged() {
        let text = "常熟市参观了展览"   // 3 bytes a character
        // Overlapping (常熟 and 熟市 share 熟), contained (熟市 in 常熟市), adjacent (常熟, 市参:
        // touching ranges are merged too), apart (常熟 and 参观, 市 between).
        #expect(ranges(text, ["常熟", "熟市"]) == [0..<9])
        #expect(ranges(text, ["常熟市", "熟市"]) == [0..<9])
        #expect(ranges(text, ["熟市", "常熟市参"]) == [0..<12])
        #expect(ranges(text, ["常熟", "市参"]) == [0..<12])
        #expect(ranges(text, ["常熟", "参观"]) == [0..<6, 9..<15])
        #expect(ranges(text, ["展览", "常熟", "参观"]) == [0..<6, 9..<15, 18..<24])
        // Repeated occurrences of one phrase: apart, then touching.
        #expect(ranges("常熟，常熟", ["常熟"]) == [0..<6, 9..<15])
        #expect(ranges("常熟常熟", ["常熟"]) == [0..<12])
        // Words: adjacent words separated by a space are not touching.
        #expect(ranges("linux kernel files", ["linux", "kernel"]) == [0..<5, 6..<12])
        #expect(ranges("linux kernel files", ["linux kernel", "kernel files"]) == [0..<18])
        for (t, p) in [(text, ["常熟", "熟市", "参观", "观了展"]), ("常熟常熟", ["常熟", "熟常"])] {
            expectWellFormed(ranges(t, p), in: t)
        }
    }

    @Test func rangesAroundEmojiAndCombiningCharacters() {
        // Four-byte scalars (emoji, a Han character outside the BMP: a surrogate pair in UTF-16)
        // and combining marks around and inside matches: ranges on scalar boundaries, slices valid.
        let emoji = "😀常熟😀"
        #expect(ranges(emoji, ["常熟"]) == [4..<10])
        let skin = "👍🏽常熟👍🏽市"
        #expect(ranges(skin, ["常熟"]) == [utf8Range(of: "常熟", in: skin)])
        let extB = "𠀀𠀁常熟"
        #expect(ranges(extB, ["𠀁常"]) == [4..<11])
        #expect(ranges(extB, ["𠀀𠀁"]) == [0..<8])
        let combining = "cafe\u{301} 常熟 cafe\u{301}"
        #expect(ranges(combining, ["café"]) == [0..<6, 14..<20])   // the query composed, the text not
        let precomposed = "café 常熟"
        #expect(ranges(precomposed, ["cafe\u{301}"]) == [0..<5])
        for (t, p) in [(emoji, ["常熟"]), (skin, ["常熟", "熟"]), (extB, ["𠀁常", "熟"]), (combining, ["café", "熟"])] {
            let rs = ranges(t, p)
            #expect(!rs.isEmpty)
            expectWellFormed(rs, in: t)
        }
    }

    @Test func matchesAcrossLineWraps() {
        // A line wrap between CJK characters is joined by the analyzer: the match spans it.
        let text = "常熟\n市参观"
        #expect(ranges(text, ["熟市"]) == [3..<10])
        let spaced = "常熟 \r\n  市参观"
        #expect(ranges(spaced, ["熟市参"]) == [utf8Range(of: "熟 \r\n  市参", in: spaced)])
        let words = "the linux\nkernel"
        #expect(ranges(words, ["linux kernel"]) == [4..<16])
        // Snippets leave out the wrap between CJK characters, and show one space for a line
        // break between words.
        let h = highlighter()
        #expect(h.snippet(of: text, ranges: ranges(text, ["熟市"])) == "常<熟市>参观")
        #expect(h.snippet(of: spaced, ranges: ranges(spaced, ["熟市参"])) == "常<熟市参>观")
        #expect(h.snippet(of: words, ranges: ranges(words, ["linux kernel"])) == "the <linux kernel>")
    }

    @Test func prefixMatches() {
        let text = "linux linus line 常熟市"
        #expect(ranges(text, ["lin"], prefix: true) == [0..<5, 6..<11, 12..<16])
        // A lone CJK character matches wherever it occurs.
        #expect(ranges(text, ["熟"]) == [utf8Range(of: "熟", in: text)])
    }

    // MARK: Snippets

    @Test func snippetWindowAtTheStartAndEndOfTheText() {
        let body = String(repeating: "天地玄黄宇宙洪荒日月盈昃辰宿列张", count: 6)   // 96 characters
        let h = highlighter(12)
        // A match at the very start: no "…" before it, one after.
        let start = "鲸鱼" + body
        #expect(h.snippet(of: start, ranges: ranges(start, ["鲸鱼"])) == "<鲸鱼>天地玄黄宇宙洪荒日月…")
        // At the very end: "…" before, the window starting a third of its length before the match.
        let end = body + "鲸鱼"
        #expect(h.snippet(of: end, ranges: ranges(end, ["鲸鱼"])) == "…辰宿列张<鲸鱼>")
        // In the middle.
        let middle = body + "鲸鱼" + body
        #expect(h.snippet(of: middle, ranges: ranges(middle, ["鲸鱼"])) == "…辰宿列张<鲸鱼>天地玄黄宇宙…")
        // The whole text fits: no "…", unless the text is a window of a longer field.
        let short = "天地鲸鱼玄黄"
        #expect(h.snippet(of: short, ranges: ranges(short, ["鲸鱼"])) == "天地<鲸鱼>玄黄")
        #expect(h.snippet(of: short, ranges: ranges(short, ["鲸鱼"]), startsField: false, endsField: false) == "…天地<鲸鱼>玄黄…")
        // A match running past the window's end is closed there.
        let long = "天地" + String(repeating: "鲸", count: 30)
        let rs = ranges(long, ["鲸鲸"])
        #expect(rs == [6..<(6 + 90)])
        #expect(h.snippet(of: long, ranges: rs) == "天地<鲸鲸鲸鲸鲸鲸鲸鲸鲸鲸>…")
        // The window goes where the matches are densest (earliest on ties).
        let dense = "鲸鱼" + body + "鲸鱼天地鲸鱼" + body
        #expect(h.snippet(of: dense, ranges: ranges(dense, ["鲸鱼"])) == "…辰宿列张<鲸鱼>天地<鲸鱼>天地…")
        // No ranges: the start of the text.
        #expect(h.snippet(of: body, ranges: []) == "天地玄黄宇宙洪荒日月盈昃…")
    }

    @Test func windowStartingInsideAMatch() {
        // The window starts a third of its length before the densest matches; here that is inside
        // an earlier, long match (six 鲸 merged into one range). The snippet once closed that
        // match's mark without opening it ("…鲸鲸>天<鱼鱼>天<鱼鱼>天…"): a mark is now opened
        // where the window begins inside a range.
        let text = "鲸鲸鲸鲸鲸鲸天鱼鱼天鱼鱼天鱼鱼天天天天"
        let rs = ranges(text, ["鲸鲸", "鱼鱼"])
        #expect(rs == [0..<18, 21..<27, 30..<36, 39..<45])
        let snippet = highlighter(9).snippet(of: text, ranges: rs)
        #expect(snippet == "…<鲸鲸>天<鱼鱼>天<鱼鱼>天…")
        // The same range fully inside the window is marked whole.
        #expect(highlighter(12).snippet(of: text, ranges: [0..<18]) == "<鲸鲸鲸鲸鲸鲸>天鱼鱼天鱼鱼…")
    }

    @Test func matchStartingInsideACharacter() {
        // A prepended concatenation mark (U+0600 ARABIC NUMBER SIGN, grapheme break property
        // Prepend) forms one Character with what follows, so a match can start inside a
        // Character. The ranges are right (on scalar boundaries); the snippet walks Characters and
        // once opened a mark only where a range started exactly at one (so it showed a match
        // without its opening mark): the mark now opens before the Character holding the start.
        let a = "天\u{600}常熟市"
        #expect(ranges(a, ["常熟"]) == [5..<11])
        let b = "x\u{600}天地"
        #expect(ranges(b, ["天"]) == [3..<6])
        let h = highlighter(20)
        let snippets = [h.snippet(of: a, ranges: ranges(a, ["常熟"])), h.snippet(of: b, ranges: ranges(b, ["天"]))]
        #expect(snippets == ["天<\u{600}常熟>市", "x<\u{600}天>地"])
    }

    @Test func windowEndingRightAfterTheCloseMarkText() {
        // A phrase across punctuation gives a range holding the punctuation: here 】, the
        // default closing mark. When the window ends right after that 】 inside the range, the
        // snippet once took the text's 】 for its own mark (it checked `hasSuffix(after)`) and
        // left the mark open ("【常熟】…" looked like a match of 常熟 alone); it now tracks the
        // open mark itself.
        let text = "常熟】市参观天地"
        let rs = ranges(text, ["常熟】市参"])
        #expect(rs == [0..<15])
        let h = Highlighter(analyzer: analyzer, options: HighlightOptions(snippetLength: 3))
        let snippet = h.snippet(of: text, ranges: rs)
        #expect(snippet == "【常熟】】…")
        // One character more and the mark is closed.
        #expect(Highlighter(analyzer: analyzer, options: HighlightOptions(snippetLength: 4)).snippet(of: text, ranges: rs) == "【常熟】市】…")
    }

    @Test func snippetWindowStartsOnCharacterBoundaries() {
        // Emoji with modifiers and combining marks before the match: the window starts a third of
        // its length before it, counted in characters, never inside one.
        let h = highlighter(9)
        for filler in ["👍🏽", "e\u{301}", "🇨🇳", "😀", "𠀀"] {
            let text = String(repeating: filler, count: 10) + "常熟" + String(repeating: filler, count: 10)
            let snippet = h.snippet(of: text, ranges: ranges(text, ["常熟"]))
            #expect(snippet == "…" + String(repeating: filler, count: 3) + "<常熟>" + String(repeating: filler, count: 4) + "…",
                    "\(filler.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func randomTextsGiveWellFormedRangesAndSnippets() {
        // Texts of CJK, emoji, combining marks, astral Han, Hangul, Latin words and line wraps;
        // phrases cut from them. Ranges are well formed; the snippet,
        // without marks and "…", is a piece of the text (no whitespace in these texts).
        var rng = SplitMix64(0x419_417)
        let pieces = ["常", "熟", "市", "参", "观", "😀", "👍🏽", "e\u{301}", "𠀀", "𠀁", "한", "국", "ab", "cd", "。", "\u{300}"]
        var checked = 0, matched = 0
        for _ in 0..<300 {
            let text = (0..<rng.int(1...40)).map { _ in rng.pick(pieces) }.joined()
            let chars = Array(text)
            var phrases: [String] = []
            for _ in 0..<rng.int(1...3) {
                let n = rng.int(1...min(4, chars.count))
                let s = rng.int(0...(chars.count - n))
                phrases.append(String(chars[s..<(s + n)]))
            }
            let ps = patterns(phrases)
            guard !ps.isEmpty else { continue }
            let h = highlighter(rng.int(3...20))
            let rs = h.matchRanges(in: text, patterns: ps)
            expectWellFormed(rs, in: text)
            if !rs.isEmpty { matched += 1 }
            let snippet = h.snippet(of: text, ranges: rs)
            let plain = snippet.replacingOccurrences(of: "<", with: "").replacingOccurrences(of: ">", with: "")
                .replacingOccurrences(of: "…", with: "")
            #expect(text.contains(plain), "snippet \(snippet) of \(text)")
            #expect(snippet.filter { $0 == "<" }.count == snippet.filter { $0 == ">" }.count, "\(snippet)")
            checked += 1
        }
        #expect(checked > 200 && matched > 150, "\(checked) texts, \(matched) with matches")
    }
}

private extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
