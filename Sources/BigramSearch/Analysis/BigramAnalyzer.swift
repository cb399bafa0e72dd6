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
    public var identifier: String {
        "bigram/1" + (options.foldTraditional ? "+t2s" : "") + (options.emitUnigrams ? "+unigrams" : "")
    }

    /// The terms of `text` with positions and offsets (see ``Analyzer/tokens(in:)``).
    ///
    /// - Complexity: O(n) in the length of `text`.
    public func tokens(in text: String) -> [Token] {
        var collector = TokenCollector()
        analyze(text, into: &collector)
        return collector.tokens
    }

    /// Streams the terms of `text` into `sink`.
    ///
    /// - Complexity: O(n) in the length of `text`.
    func analyze<Sink: TokenSink>(_ text: String, into sink: inout Sink) {
        breakers.withBreaker { breaker in
            var tokenizer = BigramTokenizer<Sink>(breaker: breaker, folding: folding, emitUnigrams: options.emitUnigrams)
            var text = text
            text.withUTF8 { tokenizer.run($0, into: &sink) }
        }
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

