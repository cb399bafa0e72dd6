/// Turns text into terms: the analysis of a document (what an index records, and what
/// highlighting finds) and the analysis of a query phrase (what a document must contain).
/// ``BigramAnalyzer`` is the default; conform your own type to index with other rules.
///
/// An analyzer must be deterministic: an index records ``identifier`` and refuses to mix
/// analyzers.
///
/// Only ``identifier`` and ``tokens(in:)`` are required. An analyzer with just those indexes its
/// tokens as they are, and a query phrase matches where its tokens stand at the same relative
/// positions; it has none of the default analyzer's rules that go beyond equal terms (a
/// one-character query finding that character inside a longer CJK run: `核` finding `内核`). To
/// keep them, delegate document and query analysis to a ``BigramAnalyzer``:
///
/// ```swift
/// struct TaggedAnalyzer: Analyzer {
///     let base: BigramAnalyzer
///     var identifier: String { "tagged/" + base.identifier }
///     func tokens(in text: String) -> [Token] { base.tokens(in: text) }
///     func analyze<Sink: TokenSink>(_ text: String, into sink: inout Sink) { base.analyze(text, into: &sink) }
///     func queryTerms(in text: String) -> [QueryTerm] { base.queryTerms(in: text) }
/// }
/// ```
public protocol Analyzer: Sendable {
    /// A name for the analysis rules and options, stored in the index.
    var identifier: String { get }

    /// The terms of `text`, in order of position.
    func tokens(in text: String) -> [Token]

    /// Analyzes a document's text into `sink`: its terms, the ends of its CJK runs and the input
    /// range of each position (see ``TokenSink``). The index and the highlighter call this.
    ///
    /// The default implementation streams ``tokens(in:)``: sorted by position, without tokens
    /// at negative positions, a term of one or two CJK characters as a CJK term and any other as
    /// a word, each position followed by ``TokenSink/character(position:utf8Start:utf8End:)``
    /// with the union of its tokens' ranges. It reports no run ends.
    ///
    /// The library compiles ``BigramAnalyzer``'s analysis for its own sinks. Any other
    /// analyzer's, one that delegates to a BigramAnalyzer included, calls the sink through this
    /// protocol: the same terms, with about a fifth more instructions of analysis.
    func analyze<Sink: TokenSink>(_ text: String, into sink: inout Sink)

    /// The terms a query phrase of `text` must find in a document, in order of position (their
    /// positions relative to each other count), and how each one matches (see
    /// ``QueryTerm/Match``).
    ///
    /// The default implementation is ``tokens(in:)`` as the default document analysis takes
    /// them (sorted by position, none at negative positions), every term matched exactly: a
    /// one-character CJK term finds that unigram only.
    func queryTerms(in text: String) -> [QueryTerm]

    /// The options of a ``BigramAnalyzer`` that analyzes exactly as this analyzer does and has
    /// its ``identifier``. An index stores them, so that ``IndexStore/open(at:analyzer:)`` can
    /// rebuild the analyzer when none is passed. Nil by default: the analyzer must be passed
    /// to open the index; options whose analyzer has another identifier are not stored.
    var bigramOptions: BigramAnalyzer.Options? { get }
}

extension Analyzer {
    /// Streams ``tokens(in:)`` into `sink` (see ``Analyzer/analyze(_:into:)``).
    public func analyze<Sink: TokenSink>(_ text: String, into sink: inout Sink) {
        let tokens = tokens(in: text).sorted { $0.position < $1.position }
        var k = tokens.firstIndex { $0.position >= 0 } ?? tokens.count
        while k < tokens.count {
            let position = tokens[k].position
            var lower = Int.max, upper = Int.min
            while k < tokens.count && tokens[k].position == position {
                let t = tokens[k]
                k += 1
                lower = min(lower, t.utf8Range.lowerBound)
                upper = max(upper, t.utf8Range.upperBound)
                switch TermKey(term: t.term) {
                case .cjk(let key):
                    sink.cjkTerm(key, position: position, utf8Start: t.utf8Range.lowerBound, utf8End: t.utf8Range.upperBound)
                case .word(let utf8):
                    sink.wordTerm(utf8, position: position, utf8Start: t.utf8Range.lowerBound, utf8End: t.utf8Range.upperBound)
                }
            }
            sink.character(position: position, utf8Start: lower, utf8End: upper)
        }
    }

    /// ``tokens(in:)`` by position, each matched exactly (see ``Analyzer/queryTerms(in:)``).
    public func queryTerms(in text: String) -> [QueryTerm] {
        tokens(in: text).sorted { $0.position < $1.position }.compactMap { $0.position >= 0 ? QueryTerm($0) : nil }
    }

    /// Nil: the analyzer must be passed to open an index built with it.
    public var bigramOptions: BigramAnalyzer.Options? { nil }
}

/// One term of an analyzed query phrase: what a document must have at the term's position.
public struct QueryTerm: Hashable, Sendable {
    /// How a query term matches the terms of a document.
    public enum Match: String, Hashable, Sendable {
        /// The document has this term at that position.
        case exact
        /// For a one-character CJK term: the document has that character at that position
        /// anywhere in a CJK run, so a term there starts with it (its unigram, or the bigram it
        /// starts), or the run ends with it there
        /// (``TokenSink/runEnded(_:position:utf8Start:utf8End:)``). `核` finds `内核`, `核心`
        /// and `核`. Any other term matches exactly.
        case characterInRun
    }

    /// The term, with its position (its range in the query text is not used).
    public var token: Token
    /// How it matches.
    public var match: Match

    /// A query term; by default matched exactly.
    public init(_ token: Token, match: Match = .exact) {
        self.token = token
        self.match = match
    }
}

/// Receives the analysis of a document term by term, without building a `String` per term:
/// what ``Analyzer/analyze(_:into:)`` streams into the index (the indexing fast path) and the
/// highlighter.
///
/// Positions never decrease from one call to the next. Offsets are UTF-8 byte offsets into the
/// analyzed text. An analyzer calls a sink; implement one to consume an analysis yourself.
public protocol TokenSink {
    /// A CJK term (bigram or unigram) at `position`, from the input bytes `utf8Start..<utf8End`.
    /// `key` holds the term's Unicode scalar values: `first << 32 | second` for a bigram,
    /// `character << 32` for a unigram.
    mutating func cjkTerm(_ key: UInt64, position: Int, utf8Start: Int, utf8End: Int)

    /// Any other term, as normalized UTF-8 (the array is reused after the call: copy what you
    /// keep).
    mutating func wordTerm(_ utf8: borrowing [UInt8], position: Int, utf8Start: Int, utf8End: Int)

    /// A CJK run of two or more characters ended with `character` (a Unicode scalar value) at
    /// `position`. The index records it, so that a one-character query term matched
    /// ``QueryTerm/Match/characterInRun`` finds the character at the end of a run too, where no
    /// term starts. Does nothing by default.
    mutating func runEnded(_ character: UInt32, position: Int, utf8Start: Int, utf8End: Int)

    /// Where the text at `position` is in the input, for highlighting (the index does not use
    /// it): ``BigramAnalyzer`` reports each CJK character, as a bigram's own range covers two;
    /// a word's range is its term's. Does nothing by default.
    mutating func character(position: Int, utf8Start: Int, utf8End: Int)
}

extension TokenSink {
    /// Does nothing (see ``TokenSink/runEnded(_:position:utf8Start:utf8End:)``).
    @inline(__always) public mutating func runEnded(_ character: UInt32, position: Int, utf8Start: Int, utf8End: Int) {}
    /// Does nothing (see ``TokenSink/character(position:utf8Start:utf8End:)``).
    @inline(__always) public mutating func character(position: Int, utf8Start: Int, utf8End: Int) {}
}
