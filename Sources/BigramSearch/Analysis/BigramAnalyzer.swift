/// The default analyzer: NFKC_Casefold, ICU word breaking, CJK runs as overlapping bigrams
/// (the analysis rules of <doc:TheContract>).
///
/// ```swift
/// let analyzer = try BigramAnalyzer()
/// analyzer.tokens(in: "常熟市参\n\n观Linux").map(\.term)   // ["常熟", "熟市", "市参", "参观", "linux"]
/// ```
///
/// - A CJK run (Han, Hiragana, Katakana, Hangul) gives one bigram per pair of neighbours, or one
///   unigram when it is one character long. Whitespace (line breaks included) between two
///   Han/Kana characters does not end a run; punctuation always does; whitespace ends Hangul runs.
/// - Other text is split by ICU's word rules without the CJK dictionary; each letter or number
///   segment (`linux`, `2000`, `3.3`, `example.com`) is one term.
/// - Positions: each CJK character takes one position, each word one (see ``Token/position``).
/// - Queries: a one-character CJK term matches the character anywhere in a run
///   (``queryTerms(in:)``), found through the run ends that ``analyze(_:into:)`` reports.
///
/// The analyzer is a value that any number of threads may use at once.
public struct BigramAnalyzer: Analyzer {
    /// Analysis options. Both are off by default.
    public struct Options: Hashable, Sendable, Codable {
        /// Fold Traditional Chinese characters to Simplified (`體育` is analyzed as `体育`).
        public var foldTraditional: Bool
        /// Emit a unigram for every CJK character as well as the bigrams.
        public var emitUnigrams: Bool

        /// Options; both off by default.
        public init(foldTraditional: Bool = false, emitUnigrams: Bool = false) {
            self.foldTraditional = foldTraditional
            self.emitUnigrams = emitUnigrams
        }
    }

    /// The options this analyzer was made with (stored with an index).
    public let options: Options
    let breakers: WordBreakerPool
    let folding: TraditionalFolding?

    private static let sharedBreakers: Result<WordBreakerPool, AnalysisError> = Result { () throws(AnalysisError) in
        try WordBreakerPool(.dictionaryFree)
    }

    /// Creates an analyzer.
    ///
    /// - Throws: ``AnalysisError/icuUnavailable(_:)`` if the system ICU cannot compile its word
    ///   rules, or folding is asked for and ICU has no Traditional-Simplified transliterator.
    public init(_ options: Options = Options()) throws(AnalysisError) {
        self.options = options
        breakers = try Self.sharedBreakers.get()
        if options.foldTraditional {
            guard let f = TraditionalFolding.shared else {
                throw AnalysisError.icuUnavailable("no Traditional-Simplified transliterator")
            }
            folding = f
        } else {
            folding = nil
        }
    }

    /// `bigram/1`, with `+t2s` for Traditional folding and `+unigrams`: indexes record it and refuse another.
    public var identifier: String { Self.identifier(options) }

    /// The identifier of an analyzer made with `options`.
    static func identifier(_ options: Options) -> String {
        "bigram/1" + (options.foldTraditional ? "+t2s" : "") + (options.emitUnigrams ? "+unigrams" : "")
    }

    /// ``options``: an index built with this analyzer rebuilds it on open.
    public var bigramOptions: Options? { options }

    /// The terms of `text` with positions and offsets (see ``Analyzer/tokens(in:)``).
    ///
    /// - Complexity: O(n) in the length of `text`.
    public func tokens(in text: String) -> [Token] {
        tokens(in: text, asciiFastPath: true)
    }

    /// ``tokens(in:)``, with or without the tokenizer's ASCII fast path (tests compare the two).
    func tokens(in text: String, asciiFastPath: Bool) -> [Token] {
        var collector = TokenCollector()
        analyze(text, into: &collector, asciiFastPath: asciiFastPath)
        return collector.tokens
    }

    /// Streams the analysis of `text` into `sink`: each term, the last character of each CJK run
    /// of two or more characters (``TokenSink/runEnded(_:position:utf8Start:utf8End:)``) and
    /// each CJK character's range (``TokenSink/character(position:utf8Start:utf8End:)``).
    ///
    /// - Complexity: O(n) in the length of `text`; no allocation per term.
    public func analyze<Sink: TokenSink>(_ text: String, into sink: inout Sink) {
        analyze(text, into: &sink, asciiFastPath: true)
    }

    func analyze<Sink: TokenSink>(_ text: String, into sink: inout Sink, asciiFastPath: Bool) {
        breakers.withBreaker { breaker in
            var tokenizer = BigramTokenizer<Sink>(breaker: breaker, folding: folding, emitUnigrams: options.emitUnigrams,
                                                  asciiFastPath: asciiFastPath)
            var text = text
            text.withUTF8 { tokenizer.run($0, into: &sink) }
        }
    }

    /// The terms of a query phrase (see ``Analyzer/queryTerms(in:)``). A unigram, a CJK run of
    /// one character, matches the character anywhere in a run
    /// (``QueryTerm/Match/characterInRun``), which the run ends recorded by ``analyze(_:into:)``
    /// make exact. With ``Options/emitUnigrams`` every character has its unigram, so unigrams
    /// match exactly, and those at positions a bigram covers are left out (they add nothing).
    public func queryTerms(in text: String) -> [QueryTerm] {
        let tokens = tokens(in: text)
        guard options.emitUnigrams else {
            return tokens.map { QueryTerm($0, match: $0.kind == .unigram ? .characterInRun : .exact) }
        }
        var covered = Set<Int>()
        for t in tokens where t.kind == .bigram { covered.insert(t.position); covered.insert(t.position + 1) }
        return tokens.compactMap { $0.kind == .unigram && covered.contains($0.position) ? nil : QueryTerm($0) }
    }
}

/// Builds public ``Token`` values (the slow, convenient path).
private struct TokenCollector: TokenSink {
    var tokens: [Token] = []

    mutating func cjkTerm(_ key: UInt64, position: Int, utf8Start: Int, utf8End: Int) {
        tokens.append(Token(term: TermKey.text(ofCJK: key), kind: TermKey.isUnigram(key) ? .unigram : .bigram,
                            position: position, utf8Range: utf8Start..<utf8End))
    }

    mutating func wordTerm(_ utf8: borrowing [UInt8], position: Int, utf8Start: Int, utf8End: Int) {
        let utf8 = copy utf8
        tokens.append(Token(term: String(decoding: utf8, as: UTF8.self), kind: .word,
                            position: position, utf8Range: utf8Start..<utf8End))
    }
}

