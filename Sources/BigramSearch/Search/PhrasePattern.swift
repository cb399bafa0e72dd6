/// What one phrase must find, in one or more fields.
struct PhrasePattern: Sendable {
    /// One term of the pattern, `offset` positions after the first.
    struct Element: Sendable, Hashable {
        enum Match: Sendable, Hashable {
            /// Exactly this dictionary key.
            case key([UInt8])
            /// Any dictionary key that starts with these bytes: a lone CJK character (UTF-8 of the
            /// character: its unigram, run-end marker and the bigrams it starts) or a word prefix.
            case keyPrefix([UInt8])
        }
        var match: Match
        var offset: Int
    }

    var elements: [Element]
    /// Schema field numbers to search.
    var fields: [Int]
    /// The original phrase text (for highlighting and debugging).
    var text: String
}
