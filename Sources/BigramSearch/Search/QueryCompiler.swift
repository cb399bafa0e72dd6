/// A query turned into what the index can look up: each phrase becomes a ``PhrasePattern`` of
/// dictionary keys at relative positions.
indirect enum CompiledQuery: Sendable {
    case phrase(leaf: Int)
    case all(positive: [CompiledQuery], negative: [CompiledQuery])
    case any([CompiledQuery])
    case not(CompiledQuery)
    /// A filter on a typed field (``CompiledFilter``): matches without score.
    case filter(Int)
}

struct QueryCompiler {
    let schema: Schema
    let analyzer: any Analyzer
    var leaves: [PhrasePattern] = []
    var filters: [CompiledFilter] = []

    /// Compiles `query`. Returns nil when nothing in it can match (every phrase without terms).
    mutating func compile(_ query: Query) throws(SearchError) -> CompiledQuery? {
        switch query {
        case .phrase(let text, let field, let prefix):
            let fields: [Int]
            if let field {
                guard let f = schema.index(of: field), schema.fields[f].indexed else {
                    throw SearchError.unknownField(field)
                }
                fields = [f]
            } else {
                fields = schema.indexedFieldNumbers
            }
            let elements = pattern(of: text, prefix: prefix)
            if elements.isEmpty { return nil }
            leaves.append(PhrasePattern(elements: elements, fields: fields, text: text))
            return .phrase(leaf: leaves.count - 1)
        case .all(let qs):
            var positive: [CompiledQuery] = [], negative: [CompiledQuery] = []
            for q in qs {
                if case .not(let inner) = q {
                    if let c = try compile(inner) { negative.append(c) }
                } else if let c = try compile(q) {
                    positive.append(c)
                }
            }
            if positive.isEmpty && negative.isEmpty { return nil }
            return .all(positive: positive, negative: negative)
        case .any(let qs):
            var children: [CompiledQuery] = []
            for q in qs { if let c = try compile(q) { children.append(c) } }
            if children.isEmpty { return nil }
            return children.count == 1 ? children[0] : .any(children)
        case .not(let q):
            return try compile(q).map { .not($0) }
        case .filter(let f):
            filters.append(try CompiledFilter(f, schema: schema))
            return .filter(filters.count - 1)
        }
    }

    /// The pattern of a phrase: its terms from the analyzer's query analysis, at positions
    /// relative to the lowest. A term matched ``QueryTerm/Match/characterInRun`` looks up every
    /// key that starts with its character (its unigram, the bigrams it starts, its run-end
    /// marker); the last word of a prefix phrase, every word that starts with it.
    func pattern(of text: String, prefix: Bool) -> [PhrasePattern.Element] {
        let terms = analyzer.queryTerms(in: text)
        guard let base = terms.lazy.map(\.token.position).min() else { return [] }
        var out: [PhrasePattern.Element] = []
        out.reserveCapacity(terms.count)
        for (k, q) in terms.enumerated() {
            let offset = q.token.position - base
            let key = TermKey(term: q.token.term)
            if q.match == .characterInRun, case .cjk(let c) = key, TermKey.isUnigram(c) {
                var character: [UInt8] = []
                TermKey.appendUTF8(TermKey.first(c), to: &character)
                out.append(.init(match: .keyPrefix(character), offset: offset))
            } else if prefix && k == terms.count - 1 && q.token.kind == .word {
                out.append(.init(match: .keyPrefix(key.bytes), offset: offset))
            } else {
                out.append(.init(match: .key(key.bytes), offset: offset))
            }
        }
        return out
    }
}
