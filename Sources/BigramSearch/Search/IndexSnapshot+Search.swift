import Dispatch

// Searching is done by the Search layer over the snapshot, a reader of the Index layer
// (segments, deletions, statistics, stored fields): parse, compile, evaluate, rank, re-rank,
// highlight.
extension IndexSnapshot {
    /// The parser for this index's fields: the indexed text fields for words, and the typed
    /// fields (keyword, int, double, date) for filters, with their kinds
    /// (``QueryParser/typedFields``).
    public var queryParser: QueryParser {
        QueryParser(fields: Set(schema.fields.filter(\.indexed).map(\.name)),
                    typedFields: Dictionary(schema.fields.filter(\.kind.isTyped).map { ($0.name, $0.kind) },
                                            uniquingKeysWith: { first, _ in first }))
    }

    /// Searches with a query in the query syntax, strictly (see `search(_:options:)` with a ``Query``
    /// for the ranking, paging and cost).
    ///
    /// - Throws: ``SearchError/syntax(_:)`` for malformed syntax, ``SearchError/unknownField(_:)``.
    public func search(_ query: String, options: SearchOptions = SearchOptions()) throws(SearchError) -> SearchResults {
        let q: Query
        do { q = try queryParser.parse(query) } catch { throw .syntax(error) }
        return try search(q, options: options)
    }

    /// Searches with end-user input: malformed syntax is read as text, never an error (see
    /// ``QueryParser/parseLenient(_:)``). Leniency concerns the query's syntax only: a damaged
    /// index, an exceeded time limit or a cancelled search throw as with the strict `search(_:options:)`.
    ///
    /// - Throws: ``SearchError/damagedIndex(_:)``, ``SearchError/timeLimitExceeded``; never
    ///   ``SearchError/syntax(_:)`` or ``SearchError/unknownField(_:)`` (an unknown `field:` is
    ///   read as text).
    public func search(lenient query: String, options: SearchOptions = SearchOptions()) throws(SearchError) -> SearchResults {
        try search(queryParser.parseLenient(query), options: options)
    }

    /// Searches with a query built in code: ranks every match and returns the page
    /// `options.offset ..< options.offset + options.limit` of that ranking, with
    /// ``SearchResults/totalCount`` the number of all matches.
    ///
    /// The ranking is one order whatever the page: by BM25 score, ties in document order; with
    /// ``SearchOptions/reranking``, the best ``Reranking/candidates`` of that order are re-ranked
    /// and the matches beyond them follow in BM25 order. So the hits of `offset: 10, limit: 10`
    /// are exactly hits 11–20 of `offset: 0, limit: 20`, re-ranked or not.
    ///
    /// - Complexity: the query's evaluation (proportional to the postings of its rarest terms
    ///   plus the positions of candidate documents), then O(m + p log p) to select the page, for
    ///   `m` matches and `p` = `offset + limit` (at least `candidates` when re-ranking), plus one
    ///   stored-text read and highlight per returned hit (and per re-ranked candidate).
    public func search(_ query: Query, options: SearchOptions = SearchOptions()) throws(SearchError) -> SearchResults {
        try search(query, options: options, interrupt: options.timeLimit.map { SearchInterrupt(timeLimit: $0) })
    }

    func search(_ query: Query, options: SearchOptions, interrupt: SearchInterrupt?) throws(SearchError) -> SearchResults {
        let reranks = options.reranking != nil && options.sort.isEmpty
        let (matches, leaves, evaluator) = try evaluate(query, bm25: options.bm25, interrupt: interrupt, recordsOccurrences: reranks)
        let total = matches.reduce(0) { $0 + $1.docs.count }
        if !options.sort.isEmpty || !options.facets.isEmpty {
            do { for segment in segments { try segment.verifyColumns() } } catch { throw .damagedIndex(error) }
        }
        // Facets count the whole match set.
        var facets: [String: FacetResult] = [:]
        for request in options.facets {
            var collector = try FacetCollector(request, schema: schema, segments: segments)
            collect(matches, into: &collector)
            facets[request.name] = collector.result()
        }
        // A cursor continues the ranking after its hit: `rank` hits come before the page.
        let queryPrint = fingerprint(of: query, options: options)
        var cursor: SearchCursor?
        if let text = options.after {
            guard let c = SearchCursor(text) else { throw .invalidCursor("not a cursor of this library") }
            guard c.snapshot == snapshotFingerprint else { throw .invalidCursor("it belongs to another snapshot of the index") }
            guard c.query == queryPrint else { throw .invalidCursor("it belongs to another query, order or ranking") }
            guard c.keys.count == options.sort.count else { throw .invalidCursor("it does not match the order") }
            cursor = c
        }
        let offset = max(0, options.offset), limit = max(0, options.limit)
        var cost = StoredReadCost()   // stored text read for re-ranking and highlights
        // Whole fields the re-ranking read, which the page's highlights then need not read again.
        var wholeFields: [StoredFieldKey: [UInt8]] = [:]
        var ranked: [(segment: Int, doc: UInt32, score: Double, global: Int, keys: [UInt64], missing: UInt8)] = []
        var rankBase = cursor?.rank ?? 0   // hits before `ranked[0]`
        var skip = offset                  // of `ranked`, before the page
        if !options.sort.isEmpty {
            // By fields: the first offset + limit after the cursor.
            let order = try FieldOrder(options.sort, schema: schema, segments: segments)
            let after = cursor.map { SortedEntry(keys: $0.keys, missing: $0.missing, global: $0.global) }
            var collector = FieldSortCollector(order: order, capacity: min(Self.saturatingAdd(offset, limit), total),
                                               segments: segments, after: after)
            collect(matches, into: &collector)
            ranked = collector.sorted().map { ($0.segment, $0.doc, $0.score, $0.global, Array($0.keys.prefix(order.keys.count)), $0.missing) }
        } else {
            let reranker = options.reranking.map { WordBoundaryRanker(options: $0, leaves: leaves, analyzer: analyzer) }
            let rerank = reranker?.isUseful == true
            // One order whatever the page: the best `candidates` by BM25 re-ranked, then the rest
            // in BM25 order. A page is a slice of it, so only the first `end` of it are needed.
            let window = rerank ? options.reranking!.candidates : 0
            var after: (score: Double, global: Int)?
            if let cursor {
                if cursor.rank <= window {
                    // Inside the re-ranked window, or at its end: the order is known only after
                    // re-ranking it, so the page is found by its rank. (At the end, the cursor's
                    // hit is the window's last by re-ranked score, not by BM25: the hits after it
                    // by BM25 would not be those after the window.)
                    skip = Self.saturatingAdd(cursor.rank, offset)
                    rankBase = 0
                } else {
                    // Beyond it: BM25 order, after the cursor's hit (the window comes before it).
                    after = (cursor.score, cursor.global)
                }
            }
            let end = Self.saturatingAdd(skip, limit)
            // Top-k by score, ties in document order.
            var top = TopScoreCollector(capacity: min(after == nil ? max(end, window) : end, total), after: after)
            collect(matches, into: &top)
            // (TopK keeps everything unsorted while under capacity and sorts once at the end.)
            var entries = top.ranked()
            if rerank, after == nil, let reranker {
                let w = min(window, entries.count)
                try verifyStoredValues(entries[0..<w].map { ($0.segment, $0.doc) })
                // How often each leaf matched each candidate per field, as the evaluator counted.
                let words = entries[0..<w].map { e -> UInt64 in
                    let m = matches[e.segment]
                    return PhraseMatcher.index(of: e.doc, in: m.docs).map { m.occurrenceWord($0) } ?? 0
                }
                let count = { (i: Int, leaf: Int, field: Int) -> Int? in
                    guard let evaluator, let slot = leaves[leaf].fields.firstIndex(of: field) else { return nil }
                    return evaluator.occurrenceCount(words[i], leaf: leaf, slot: slot)
                }
                let factors = try reranker.factors(count: w, matchCount: count) { (i, f, limit, bytes) throws(SearchError) -> Bool? in
                    let seg = segments[entries[i].segment]
                    guard f < seg.stored.count, let table = seg.stored[f] else { return nil }
                    do throws(StoredValueError) {
                        let complete = try table.utf8Prefix(Int(entries[i].doc), limit: limit, into: &bytes, cost: &cost)
                        if complete == true && options.highlight != nil {
                            wholeFields[StoredFieldKey(segment: entries[i].segment, doc: entries[i].doc, field: f)] = bytes
                        }
                        return complete
                    } catch {
                        if let e = error.storage { throw .damagedIndex(e) }
                        throw .damagedIndex(.corrupt(path: seg.origin ?? "(index in memory)",
                                                     reason: "field \(schema.fields[f].name), document \(entries[i].doc): \(error.description)"))
                    }
                }
                for i in 0..<w { entries[i].score *= factors[i] }
                entries[0..<w].sort { $0.score > $1.score || ($0.score == $1.score && $0.global < $1.global) }
            }
            ranked = entries.map { ($0.segment, $0.doc, $0.score, $0.global, [], 0) }
        }
        let page = ranked[min(skip, ranked.count)..<min(Self.saturatingAdd(skip, limit), ranked.count)]
        var next: String?
        if let last = page.last {
            let rank = rankBase + (page.endIndex)   // hits up to and including the page's last
            if rank < total {
                next = SearchCursor(rank: rank, score: last.score, keys: last.keys, missing: last.missing, global: last.global,
                                    snapshot: snapshotFingerprint, query: queryPrint).encoded
            }
        }
        try verifyStoredValues(page.map { ($0.segment, $0.doc) })
        let highlighter = options.highlight.map { Highlighter(analyzer: analyzer, options: $0) }
        var hits: [Hit] = []
        hits.reserveCapacity(page.count)
        for entry in page {
            let seg = segments[entry.segment]
            var highlights: [FieldHighlight] = []
            if let highlighter {
                for (f, field) in schema.fields.enumerated() where field.indexed {
                    let patterns = leaves.filter { $0.fields.contains(f) }
                    do {
                        let known = wholeFields[StoredFieldKey(segment: entry.segment, doc: entry.doc, field: f)]
                        if let h = try highlight(seg, doc: Int(entry.doc), field: f, patterns: patterns, highlighter, known: known, cost: &cost) {
                            highlights.append(h)
                        }
                    } catch {
                        if let e = error.storage { throw .damagedIndex(e) }
                        throw .damagedIndex(.corrupt(path: seg.origin ?? "(index in memory)", reason: "field \(field.name), document \(entry.doc): \(error.description)"))
                    }
                }
            }
            hits.append(Hit(score: entry.score, highlights: highlights, segment: seg, doc: Int(entry.doc), schema: schema))
        }
        var results = SearchResults(totalCount: total, offset: offset, hits: hits)
        results.readCost = cost
        results.facets = facets
        results.next = next
        return results
    }

    /// The highlight of field `f` of a hit, reading only what it needs: a field up to
    /// ``Highlighter/wholeTextLimit`` bytes whole; a longer (chunked) one only in the chunks
    /// around its best match, found in the postings — the chunk where that match starts and its
    /// two neighbours. Ranges are offsets into the whole field either way; for a long field they
    /// cover only that window. `known`: the field's whole text when the caller has read it.
    private func highlight(_ seg: Segment, doc: Int, field f: Int, patterns: [PhrasePattern], _ highlighter: Highlighter,
                           known: [UInt8]?, cost: inout StoredReadCost) throws(StoredValueError) -> FieldHighlight? {
        guard !patterns.isEmpty, f < seg.stored.count, let table = seg.stored[f] else { return nil }
        let value = try table.value(doc)
        let name = schema.fields[f].name
        if case .chunked(let c) = value, c.textCount > Highlighter.wholeTextLimit, f < seg.fields.count, let fi = seg.fields[f] {
            let best: Int?, complete: Bool
            do { (best, complete) = try highlighter.bestMatchPosition(in: fi, doc: UInt32(doc), patterns: patterns) } catch {
                throw StoredValueError(storage: error)
            }
            // No match in this field's postings: nothing to read (unless a huge prefix was cut short:
            // then look at the beginning).
            if best == nil && complete { return nil }
            let k = best.map { c.chunk(containing: $0) } ?? 0
            let chunks = max(0, k - 1)..<min(c.count, k + 2)
            let windowStart = try c.bounds(chunks.lowerBound).text.lowerBound
            let text = try table.window(c, chunks: chunks, cost: &cost)
            let analysis = highlighter.analyze(text, patterns: patterns, cost: &cost)
            let ranges = analysis.ranges
            if ranges.isEmpty { return nil }
            // The window's match nearest to where the postings put the best one (the window is
            // analyzed on its own: its positions count from its first chunk's first position).
            var chosen = ranges[0].lowerBound
            if let best, let at = analysis.range(at: best - c.firstPosition(chunks.lowerBound))?.lowerBound {
                var i = 0
                while i + 1 < ranges.count && ranges[i].upperBound <= at { i += 1 }
                if i > 0 && at - ranges[i - 1].lowerBound < ranges[i].lowerBound - at { i -= 1 }
                chosen = ranges[i].lowerBound
            }
            let snippet = highlighter.snippet(of: text, ranges: ranges, bestStart: chosen,
                                              startsField: chunks.lowerBound == 0, endsField: chunks.upperBound == c.count)
            // UTF-16 offsets need the text before the window: known only when it starts the field.
            let utf16 = chunks.lowerBound == 0 ? FieldHighlight.utf16(ranges, in: text) : nil
            return FieldHighlight(field: name, utf8Ranges: ranges.map { (windowStart + $0.lowerBound)..<(windowStart + $0.upperBound) },
                                  utf16Ranges: utf16, snippet: snippet)
        }
        // The whole field, unless re-ranking has read it already.
        let text: String
        if let known { text = String(decoding: known, as: UTF8.self) } else {
            guard let t = try table.text(of: value, cost: &cost) else { return nil }
            text = t
        }
        let ranges = highlighter.analyze(text, patterns: patterns, cost: &cost).ranges
        if ranges.isEmpty { return nil }
        return FieldHighlight(field: name, utf8Ranges: ranges, utf16Ranges: FieldHighlight.utf16(ranges, in: text),
                              snippet: highlighter.snippet(of: text, ranges: ranges))
    }

    /// Every document matching `query` with its score, in document order (not ranked: sort by
    /// ``ScoredDocument/score`` if you need to; `search(_:options:)` with a limit ranks).
    ///
    /// - Complexity: the query's evaluation plus O(m) for `m` matches, without the ranking of a
    ///   search.
    public func matches(_ query: Query, bm25: BM25 = BM25()) throws(SearchError) -> [ScoredDocument] {
        let (matches, _, _) = try evaluate(query, bm25: bm25, readsIDs: true)
        var all = AllMatchesCollector(segments: segments, expected: matches.reduce(0) { $0 + $1.docs.count })
        collect(matches, into: &all)
        return all.matches
    }

    /// Searches without blocking Swift concurrency's cooperative threads: the work runs on a
    /// Dispatch queue. Cancelling the calling task stops the search (``SearchError/cancelled``).
    public func search(_ query: Query, options: SearchOptions = SearchOptions()) async throws(SearchError) -> SearchResults {
        let interrupt = SearchInterrupt(timeLimit: options.timeLimit)
        let result: Result<SearchResults, SearchError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .userInitiated).async {
                    continuation.resume(returning: Result { () throws(SearchError) in
                        try self.search(query, options: options, interrupt: interrupt)
                    })
                }
            }
        } onCancel: {
            interrupt.cancel()
        }
        return try result.get()
    }

    /// The async form of ``search(_:options:)-(String,_)``: parses strictly, then searches off the
    /// cooperative pool.
    public func search(_ query: String, options: SearchOptions = SearchOptions()) async throws(SearchError) -> SearchResults {
        let q: Query
        do { q = try queryParser.parse(query) } catch { throw .syntax(error) }
        return try await search(q, options: options)
    }

    /// Number of documents matching `query`.
    ///
    /// - Complexity: the query's evaluation; no ranking, no stored text read.
    public func count(_ query: Query) throws(SearchError) -> Int {
        var counter = CountCollector()
        collect(try evaluate(query, bm25: BM25()).matches, into: &counter)
        return counter.count
    }

    /// Ids of every document matching `query`, in document order.
    ///
    /// - Complexity: the query's evaluation, plus O(m) for `m` matches (ids are read from each
    ///   segment's id table); no ranking.
    public func matchingIDs(_ query: Query) throws(SearchError) -> [String] {
        let (matches, _, _) = try evaluate(query, bm25: BM25(), readsIDs: true)
        var ids = MatchingIDsCollector(segments: segments, expected: matches.reduce(0) { $0 + $1.docs.count })
        collect(matches, into: &ids)
        return ids.ids
    }

    private static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    /// Identifies this snapshot in cursors: its segments and their deletions.
    var snapshotFingerprint: UInt64 {
        var f = Fingerprint()
        for (s, d) in zip(segments, deletions) {
            f.add(s.uid)
            f.add(UInt64(s.documentCount))
            f.add(UInt64(d.count))
        }
        return f.value
    }

    /// Verifies the checksums of the ids and stored values of `docs` (segment, document), which
    /// the caller is about to read (hits read theirs lazily and cannot throw).
    private func verifyStoredValues(_ docs: [(segment: Int, doc: UInt32)]) throws(SearchError) {
        do { for (s, d) in docs { try segments[s].verifyStoredValues(of: Int(d)) } } catch { throw .damagedIndex(error) }
    }

    /// Identifies a query and the settings its order depends on, in cursors.
    private func fingerprint(of query: Query, options: SearchOptions) -> UInt64 {
        var f = Fingerprint()
        f.add(query.description)
        for s in options.sort { f.add(s.field); f.add(s.descending ? 1 : 0) }
        // (Numbers, not descriptions: formatting a struct by reflection cost more than a small search.)
        f.add(options.bm25.k1.bitPattern)
        f.add(options.bm25.b.bitPattern)
        if options.sort.isEmpty, let r = options.reranking {
            f.add(UInt64(r.candidates))
            f.add(UInt64(r.occurrences))
            f.add(r.penalty.bitPattern)
            f.add(r.proximityWeight.bitPattern)
            f.add(r.leadWeight.bitPattern)
            f.add(UInt64(r.leadBytes))
        }
        return f.value
    }

    /// Evaluates `query` in every segment. `readsIDs`: the caller reads the ids of any matches
    /// (verified whole here; a ranked search verifies only its page's, ``verifyStoredValues(_:)``).
    /// `recordsOccurrences`: keep each match's counts per leaf and field (for re-ranking).
    private func evaluate(_ query: Query, bm25: BM25, interrupt: SearchInterrupt? = nil, readsIDs: Bool = false,
                          recordsOccurrences: Bool = false) throws(SearchError)
        -> (matches: [QueryEvaluator.Matches], leaves: [PhrasePattern], evaluator: QueryEvaluator?) {
        var compiler = QueryCompiler(schema: schema, analyzer: analyzer)
        guard let compiled = try compiler.compile(query) else { return ([], [], nil) }
        // Checksums of mapped sections are verified on first use: the fields searched (and the
        // ids when all may be read) here, each term's postings as it is looked up, each id and
        // stored value of a page before it is read (``verifyStoredValues``).
        let fields = Set(compiler.leaves.flatMap(\.fields))
        do {
            for segment in segments {
                for f in fields { try segment.verifyField(f) }
                if readsIDs { try segment.verifyIDs() }
            }
        } catch { throw .damagedIndex(error) }
        if !compiler.filters.isEmpty {
            do { for segment in segments { try segment.verifyColumns() } } catch { throw .damagedIndex(error) }
        }
        let evaluator = QueryEvaluator(snapshot: self, leaves: compiler.leaves, filters: compiler.filters, bm25: bm25, interrupt: interrupt,
                                       recordsOccurrences: recordsOccurrences)
        let matches: [QueryEvaluator.Matches]
        if parallelSegments && segments.count > 1 {
            matches = ParallelBuild.run(count: segments.count) { evaluator.evaluate(compiled, segment: $0) }
        } else {
            matches = segments.indices.map { evaluator.evaluate(compiled, segment: $0) }
        }
        // Damage found in the postings (values no writer produces, under valid checksums).
        if let error = evaluator.damage.error { throw .damagedIndex(error) }
        // A search that overran its limit fails even if it never reached a poll point.
        if let interrupt, interrupt.shouldStop(), let error = interrupt.error { throw error }
        return (matches, compiler.leaves, evaluator)
    }
}

/// A stored field of one document of a snapshot.
private struct StoredFieldKey: Hashable {
    var segment: Int
    var doc: UInt32
    var field: Int
}
