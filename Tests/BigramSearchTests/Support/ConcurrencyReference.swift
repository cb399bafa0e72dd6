import BigramSearch
import Foundation

// The brute-force reference of ConcurrencyTests (shares no code with the library): which live
// documents of a published snapshot each query matches, from the documents' text alone.

/// A unit of normalized text: a maximal run of Han characters (whitespace between two Han
/// characters removed) or a Latin/digit word (lowercased; `.,;'’` between two word characters
/// stays inside the word, as ICU keeps `3.3` whole).
struct RefUnit: Hashable, Sendable {
    var latin: Bool
    var text: String
}

/// A live document of a published snapshot, with its reference units computed once.
struct LiveDoc: Sendable {
    let id: String
    let text: String
    let units: [RefUnit]
    init(id: String, text: String) {
        self.id = id
        self.text = text
        units = ConcRef.units(text)
    }
    var document: Document { Document(id: id, text: text) }
}

enum ConcRef {
    static func isHan(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0x20000...0x323AF).contains(v) || v == 0x3005 || v == 0x3007
    }

    static func isWordChar(_ s: Unicode.Scalar) -> Bool {
        (0x30...0x39).contains(s.value) || (0x41...0x5A).contains(s.value) || (0x61...0x7A).contains(s.value)
    }

    static let joiners: Set<Unicode.Scalar> = [".", ",", ";", "'", "’"]

    /// Han runs and Latin words of `text` in order; everything else (spaces, punctuation) separates.
    static func units(_ text: String) -> [RefUnit] {
        let a = Array(text.lowercased().unicodeScalars)
        var out: [RefUnit] = []
        var i = 0
        while i < a.count {
            if isHan(a[i].value) {
                var run = String.UnicodeScalarView()
                while i < a.count {
                    if isHan(a[i].value) { run.append(a[i]); i += 1; continue }
                    if a[i].properties.isWhitespace {
                        var j = i
                        while j < a.count && a[j].properties.isWhitespace { j += 1 }
                        if j < a.count && isHan(a[j].value) { i = j; continue }
                    }
                    break
                }
                out.append(RefUnit(latin: false, text: String(run)))
            } else if isWordChar(a[i]) {
                var run = String.UnicodeScalarView()
                while i < a.count {
                    if isWordChar(a[i]) { run.append(a[i]); i += 1; continue }
                    if joiners.contains(a[i]), i + 1 < a.count, isWordChar(a[i + 1]), !run.isEmpty {
                        run.append(a[i]); i += 1; continue
                    }
                    break
                }
                out.append(RefUnit(latin: true, text: String(run)))
            } else {
                i += 1
            }
        }
        return out
    }

    /// A phrase matches when its units occur as consecutive units of the document: a lone Han
    /// run anywhere inside a run; otherwise the first Han unit ends a run, the last starts one,
    /// inner ones are whole runs; Latin units are whole words.
    static func phraseMatches(_ q: [RefUnit], _ d: [RefUnit]) -> Bool {
        guard !q.isEmpty, d.count >= q.count else { return false }
        if q.count == 1 {
            let u = q[0]
            return d.contains { $0.latin == u.latin && (u.latin ? $0.text == u.text : $0.text.contains(u.text)) }
        }
        outer: for start in 0...(d.count - q.count) {
            for (k, u) in q.enumerated() {
                let x = d[start + k]
                guard x.latin == u.latin else { continue outer }
                let ok: Bool
                if u.latin || (k > 0 && k < q.count - 1) {
                    ok = x.text == u.text
                } else if k == 0 {
                    ok = x.text.hasSuffix(u.text)
                } else {
                    ok = x.text.hasPrefix(u.text)
                }
                if !ok { continue outer }
            }
            return true
        }
        return false
    }

    static func matchingSet(_ q: Query, _ docs: [LiveDoc]) -> Set<String> {
        switch q {
        case .phrase(let text, _, let prefix):
            precondition(!prefix, "the reference has no prefix queries")
            let qu = units(text)
            return Set(docs.filter { phraseMatches(qu, $0.units) }.map(\.id))
        case .all(let qs):
            var result: Set<String>? = nil
            var excluded = Set<String>()
            for sub in qs {
                if case .not(let inner) = sub {
                    excluded.formUnion(matchingSet(inner, docs))
                } else {
                    let m = matchingSet(sub, docs)
                    result = result.map { $0.intersection(m) } ?? m
                }
            }
            return (result ?? Set(docs.map(\.id))).subtracting(excluded)
        case .any(let qs):
            return qs.reduce(into: Set<String>()) { $0.formUnion(matchingSet($1, docs)) }
        case .not(let inner):
            return Set(docs.map(\.id)).subtracting(matchingSet(inner, docs))
        case .filter:
            preconditionFailure("the stress test's documents have no typed fields")
        }
    }

    /// Ids matching `q`, in the order of `docs` (the snapshot's document order).
    static func expectedIDs(_ q: Query, _ docs: [LiveDoc]) -> [String] {
        let s = matchingSet(q, docs)
        return docs.filter { s.contains($0.id) }.map(\.id)
    }
}

/// Live documents in document order: a re-added id moves to the end, as in the index.
struct LiveList {
    var docs: [LiveDoc] = []
    mutating func put(_ d: LiveDoc) {
        remove(d.id)
        docs.append(d)
    }
    @discardableResult mutating func remove(_ id: String) -> Bool {
        guard let i = docs.firstIndex(where: { $0.id == id }) else { return false }
        docs.remove(at: i)
        return true
    }
}
