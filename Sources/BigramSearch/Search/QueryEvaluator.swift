import Synchronization

/// Runs a ``CompiledQuery`` over the segments of a snapshot.
///
/// Two phases: statistics (each element's document frequency summed over all segments, so that
/// scores do not depend on how documents are split into segments), then evaluation per segment.
/// (A class of constants: the recursive evaluation and the per-segment closures share one
/// instance instead of copying its arrays, a reference count each.)
final class QueryEvaluator: Sendable {
    let snapshot: IndexSnapshot
    let leaves: [PhrasePattern]
    /// The query's filters on typed fields (``CompiledQuery/filter(_:)``).
    let filters: [CompiledFilter]
    let bm25: BM25
    let interrupt: SearchInterrupt?

    /// resolved[segment][leaf][fieldSlot] → the leaf's elements in that field of that segment.
    private let resolved: [[[[ResolvedElement]]]]
    /// idf[leaf][fieldSlot]
    private let idf: [[Double]]
    private let averageLength: [Double]
    private let documentCount: Int
    /// Damage found in the postings while evaluating; the search then throws it.
    let damage: DamageReport
    /// occurrenceShift[leaf][fieldSlot]: where in ``Matches/occurrences`` the leaf's match count
    /// in that field is kept (nil: not kept, or more slots than fit); empty unless asked for.
    private let occurrenceShift: [[UInt64?]]

    /// Bits per (leaf, field) count in ``Matches/occurrences``; a count is capped at 7.
    static let occurrenceBits: UInt64 = 3

    /// - Parameter recordsOccurrences: also keep, for each match, how often each leaf matched
    ///   it in each field (``Matches/occurrences``), for re-ranking.
    init(snapshot: IndexSnapshot, leaves: [PhrasePattern], filters: [CompiledFilter] = [], bm25: BM25, interrupt: SearchInterrupt? = nil,
         recordsOccurrences: Bool = false) {
        self.snapshot = snapshot
        self.leaves = leaves
        self.filters = filters
        self.bm25 = bm25
        self.interrupt = interrupt
        var next: UInt64 = 0
        occurrenceShift = !recordsOccurrences ? [] : leaves.map { leaf in
            leaf.fields.map { _ in
                defer { next += Self.occurrenceBits }
                return next + Self.occurrenceBits <= 64 ? next : nil
            }
        }
        let damage = DamageReport()
        self.damage = damage
        documentCount = snapshot.segments.reduce(0) { $0 + $1.documentCount }
        let fieldCount = snapshot.schema.fields.count
        // (In floating point: totals read from files cannot overflow it.)
        var lengthSums = [Double](repeating: 0, count: fieldCount)
        for s in snapshot.segments {
            for (f, fi) in s.fields.enumerated() { lengthSums[f] += Double(fi?.totalLength ?? 0) }
        }
        let documentCount = documentCount
        averageLength = lengthSums.map { documentCount > 0 ? $0 / Double(documentCount) : 0 }
        var df = leaves.map { leaf in leaf.fields.map { _ in [Int](repeating: 0, count: leaf.elements.count) } }
        var resolved: [[[[ResolvedElement]]]] = []
        resolved.reserveCapacity(snapshot.segments.count)
        for s in snapshot.segments {
            var perLeaf: [[[ResolvedElement]]] = []
            for (l, leaf) in leaves.enumerated() {
                var perField: [[ResolvedElement]] = []
                for (slot, f) in leaf.fields.enumerated() {
                    guard let fi = s.fields[f] else { perField.append([]); continue }
                    let els = leaf.elements.map { ResolvedElement($0, in: fi, interrupt: interrupt) }
                    for (e, r) in els.enumerated() {
                        df[l][slot][e] += r.documentFrequency   // each at most the segment's documents
                        if r.damage != .none { damage.record(r.damage, segment: s, field: snapshot.schema.fields[f].name) }
                    }
                    perField.append(els)
                }
                perLeaf.append(perField)
            }
            resolved.append(perLeaf)
        }
        self.resolved = resolved
        idf = df.map { fields in
            fields.map { elements in
                elements.reduce(0.0) { $0 + bm25.idf(documentFrequency: $1, documentCount: max(documentCount, 1)) }
            }
        }
    }

    /// Documents of one segment matching `query`, ascending, with scores.
    struct Matches {
        var docs: [UInt32] = []
        var scores: [Double] = []
        /// When the evaluator records occurrences, one word per document (else empty): for each
        /// (leaf, field) with a place (``occurrenceCount(_:leaf:slot:)``), how often the leaf's
        /// phrase matched the document in that field, at most 7. Zero where the leaf was not
        /// evaluated for the document (it matched through another clause, or a NOT's).
        var occurrences: [UInt64] = []

        @inline(__always) func occurrenceWord(_ k: Int) -> UInt64 { occurrences.isEmpty ? 0 : occurrences[k] }
    }

    /// How often leaf `leaf` matched in its field `slot` the document of `word`
    /// (``Matches/occurrences``): nil when not recorded, 7 for seven or more.
    func occurrenceCount(_ word: UInt64, leaf: Int, slot: Int) -> Int? {
        guard leaf < occurrenceShift.count, slot < occurrenceShift[leaf].count, let shift = occurrenceShift[leaf][slot] else { return nil }
        return Int((word >> shift) & ((1 << Self.occurrenceBits) - 1))
    }

    /// Documents of segment `segment` matching `query`, ascending, with scores.
    func evaluate(_ query: CompiledQuery, segment: Int) -> Matches {
        evaluate(query, segment: segment, within: DocumentRestriction(deleted: snapshot.deletions[segment]))
    }

    /// Documents of segment `segment` matching `query` and admitted by `restriction`.
    private func evaluate(_ query: CompiledQuery, segment: Int, within restriction: DocumentRestriction) -> Matches {
        if interrupt?.shouldStop() == true { return Matches() }   // the caller throws
        let seg = snapshot.segments[segment]
        switch query {
        case .phrase(let l):
            return evaluateLeaf(l, segment: segment, within: restriction)
        case .all(let positive, let negative):
            // The AND's filters are tested per candidate of its other clauses (before their
            // positions are read) rather than scanned; with no other clause, the first filter
            // scans its column and the others test what it finds.
            var filterClauses: [Int] = [], others: [CompiledQuery] = []
            for q in positive {
                if case .filter(let k) = q { filterClauses.append(k) } else { others.append(q) }
            }
            var r = restriction
            var current: Matches
            if others.isEmpty {
                if filterClauses.isEmpty {
                    current = universe(seg, within: r)
                } else {
                    r.tests += filterClauses.dropFirst().map { ColumnTest(filters[$0], segment: seg) }
                    current = evaluate(.filter(filterClauses[0]), segment: segment, within: r)
                }
            } else {
                r.tests += filterClauses.map { ColumnTest(filters[$0], segment: seg) }
                let ordered = others.sorted { cost($0, segment) < cost($1, segment) }
                current = evaluate(ordered[0], segment: segment, within: r)
                for q in ordered.dropFirst() {
                    if current.docs.isEmpty { return current }
                    r.set = Self.set(current.docs, capacity: seg.documentCount)
                    current = Self.intersect(current, evaluate(q, segment: segment, within: r))
                }
            }
            for q in negative {
                if current.docs.isEmpty { break }
                let among = DocumentRestriction(deleted: restriction.deleted, set: Self.set(current.docs, capacity: seg.documentCount))
                current = Self.subtract(current, evaluate(q, segment: segment, within: among).docs)
            }
            return current
        case .any(let children):
            var acc = Matches()
            for q in children { acc = Self.union(acc, evaluate(q, segment: segment, within: restriction)) }
            return acc
        case .not(let inner):
            let all = universe(seg, within: restriction)
            return Self.subtract(all, evaluate(inner, segment: segment, within: restriction).docs)
        case .filter(let k):
            var m = Matches()
            m.docs = filters[k].documents(in: seg, deleted: restriction.deleted, candidates: restriction.set)
            if !restriction.tests.isEmpty { m.docs.removeAll { !restriction.passesTests($0) } }
            m.scores = [Double](repeating: 0, count: m.docs.count)
            return m
        }
    }

    /// Estimated work of a subquery: the smallest element document frequency of its leaves
    /// (saturating: a negation costs `Int.max`).
    private func cost(_ q: CompiledQuery, _ segment: Int) -> Int {
        switch q {
        case .phrase(let l):
            return resolved[segment][l].reduce(0) { acc, els in Self.add(acc, els.map(\.documentFrequency).min() ?? 0) }
        case .all(let pos, _): return pos.map { cost($0, segment) }.min() ?? Int.max
        case .any(let qs): return qs.reduce(0) { Self.add($0, cost($1, segment)) }
        case .not: return Int.max
        // A scan of the column (or a test per candidate): after any text clause.
        case .filter: return snapshot.segments[segment].documentCount
        }
    }

    private static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    private func evaluateLeaf(_ l: Int, segment: Int, within restriction: DocumentRestriction) -> Matches {
        let seg = snapshot.segments[segment]
        let leaf = leaves[l]
        var result = Matches()
        for (slot, f) in leaf.fields.enumerated() {
            guard let fi = seg.fields[f] else { continue }
            let matcher = PhraseMatcher(field: fi, elements: resolved[segment][l][slot], interrupt: interrupt)
            let found = matcher.matches { restriction.admits($0) }
            if found.damage != .none {
                damage.record(found.damage, segment: seg, field: snapshot.schema.fields[f].name)
                continue
            }
            if found.docs.isEmpty { continue }
            let boost = snapshot.schema.fields[f].boost
            let weight = idf[l][slot] * boost
            var m = Matches()
            m.docs = found.docs
            m.scores.reserveCapacity(found.docs.count)
            for (k, d) in found.docs.enumerated() {
                let len = Double(fi.lengths[d])
                m.scores.append(bm25.score(termFrequency: Double(found.freqs[k]), length: len,
                                           averageLength: averageLength[f], idf: weight))
            }
            if l < occurrenceShift.count, let shift = occurrenceShift[l][slot] {
                let cap = UInt32((1 << Self.occurrenceBits) - 1)
                m.occurrences = found.freqs.map { UInt64(min($0, cap)) << shift }
            }
            result = leaf.fields.count == 1 ? m : Self.union(result, m)
        }
        return result
    }

    private func universe(_ seg: Segment, within restriction: DocumentRestriction) -> Matches {
        var m = Matches()
        if restriction.set == nil && restriction.tests.isEmpty && restriction.deleted.count == 0 {
            // Every document of the segment (a NOT at the top, "everything" in the benchmark).
            m.docs = Array(0..<UInt32(seg.documentCount))
            m.scores = [Double](repeating: 0, count: seg.documentCount)
            return m
        }
        let live = max(0, seg.documentCount - restriction.deleted.count)
        m.docs.reserveCapacity(live)
        m.scores.reserveCapacity(live)
        for d in 0..<UInt32(seg.documentCount) where restriction.admits(d) {
            m.docs.append(d); m.scores.append(0)
        }
        return m
    }

    static func set(_ docs: [UInt32], capacity: Int) -> DocumentSet {
        var s = DocumentSet(capacity: capacity)
        for d in docs { s.insert(d) }
        return s
    }

    static func intersect(_ a: Matches, _ b: Matches) -> Matches {
        var out = Matches()
        let occurrences = !a.occurrences.isEmpty || !b.occurrences.isEmpty
        var i = 0, j = 0
        while i < a.docs.count && j < b.docs.count {
            if a.docs[i] < b.docs[j] { i += 1 } else if a.docs[i] > b.docs[j] { j += 1 } else {
                out.docs.append(a.docs[i]); out.scores.append(a.scores[i] + b.scores[j])
                if occurrences { out.occurrences.append(a.occurrenceWord(i) | b.occurrenceWord(j)) }
                i += 1; j += 1
            }
        }
        return out
    }

    static func union(_ a: Matches, _ b: Matches) -> Matches {
        if a.docs.isEmpty { return b }
        if b.docs.isEmpty { return a }
        var out = Matches()
        out.docs.reserveCapacity(a.docs.count + b.docs.count)
        out.scores.reserveCapacity(a.docs.count + b.docs.count)
        let occurrences = !a.occurrences.isEmpty || !b.occurrences.isEmpty
        var i = 0, j = 0
        while i < a.docs.count || j < b.docs.count {
            if j >= b.docs.count || (i < a.docs.count && a.docs[i] < b.docs[j]) {
                out.docs.append(a.docs[i]); out.scores.append(a.scores[i])
                if occurrences { out.occurrences.append(a.occurrenceWord(i)) }
                i += 1
            } else if i >= a.docs.count || b.docs[j] < a.docs[i] {
                out.docs.append(b.docs[j]); out.scores.append(b.scores[j])
                if occurrences { out.occurrences.append(b.occurrenceWord(j)) }
                j += 1
            } else {
                out.docs.append(a.docs[i]); out.scores.append(a.scores[i] + b.scores[j])
                if occurrences { out.occurrences.append(a.occurrenceWord(i) | b.occurrenceWord(j)) }
                i += 1; j += 1
            }
        }
        return out
    }

    static func subtract(_ a: Matches, _ excluded: [UInt32]) -> Matches {
        var out = Matches()
        var j = 0
        for (i, d) in a.docs.enumerated() {
            while j < excluded.count && excluded[j] < d { j += 1 }
            if j < excluded.count && excluded[j] == d { continue }
            out.docs.append(d); out.scores.append(a.scores[i])
            if !a.occurrences.isEmpty { out.occurrences.append(a.occurrences[i]) }
        }
        return out
    }
}
