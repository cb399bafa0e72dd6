import Foundation
import Testing
import BigramSearch

// End-to-end check of the exactness rule (BigramSearch.docc/TheContract.md) against a brute-force
// reference: a Swift port of shared/corpus/oracle.py that shares no code with the library
// (Support/SearchOracle.swift, with its corpus, queries and check). Thousands of generated
// queries of every kind run on an index of the seed pages plus generated documents (line wraps,
// full-width punctuation, mixed Latin), built three ways (one writer; two threads; deletes and
// updates). Every query must return exactly the reference set.

// MARK: - Helpers

/// Runs `a (b OR -c)`-style queries against the reference; prints each query before it runs and
/// each mismatch to standard error. Returns the number of mismatches.
private func oracleCheckNegatedAlternatives(count: Int) throws -> Int {
    let fx = OracleFixture.shared
    let w = try IndexWriter(schema: .text)
    for d in fx.docs { try w.add(Document(id: d.id, text: d.text)) }
    let s = w.snapshot()
    let ref = OracleRefCorpus(fx.docs.map { (id: $0.id, text: $0.text) })
    var gen = OracleQueryGenerator(seed: 0x0E6A7ED, fixture: fx, ref: ref)
    var mismatches = 0
    func say(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    for _ in 0..<count {
        let tree = gen.negatedAlternative()
        say("ORACLE-RUNNING \(oracleDebug(tree.syntax))")
        let expected = ref.eval(tree)
        let parsed = try s.queryParser.parse(tree.syntax)
        if parsed != tree.query { say("ORACLE-MISMATCH parser: \(oracleDebug(tree.syntax)) → \(parsed)") }
        let actual = Set(try s.matchingIDs(tree.query))
        if actual != expected {
            mismatches += 1
            say("ORACLE-MISMATCH \(oracleDebug(tree.syntax)): expected \(expected.count) ids, got \(actual.count); missing \(expected.subtracting(actual).sorted().prefix(5)) extra \(actual.subtracting(expected).sorted().prefix(5))")
        }
        let total = try s.search(tree.syntax, options: SearchOptions(limit: 3)).totalCount
        if total != expected.count { mismatches += 1; say("ORACLE-MISMATCH search(\(oracleDebug(tree.syntax))).totalCount \(total), expected \(expected.count)") }
    }
    return mismatches
}

// MARK: - Tests

@Suite(.checksSegmentInvariants) struct SearchOracleTests {
    static let mainQueryCount = 3000

    @Test func referenceAgreesWithOraclePyOnKnownCases() {
        // Cases worked out by hand from oracle.py (guards the port itself).
        let ref = OracleRefCorpus([
            (id: "a", text: "常熟市参\n\n观考察"), (id: "b", text: "常熟，市"), (id: "c", text: "非常熟悉"),
            (id: "d", text: "see example.com and files"), (id: "e", text: "内核Linux 2000亿元"),
            (id: "f", text: "中国 人民"), (id: "g", text: "한국어 검색"),
        ])
        #expect(ref.clause("参观") == ["a"])
        #expect(ref.clause("常熟市") == ["a"])
        #expect(ref.clause("常熟，市") == ["a", "b"])   // units 常熟, 市 with only punctuation between
        #expect(ref.clause("常熟") == ["a", "b", "c"])
        #expect(ref.clause("file") == [])
        #expect(ref.clause("files") == ["d"])
        #expect(ref.clause("example") == [])
        #expect(ref.clause("com") == [])
        #expect(ref.matching(pattern: OracleRef.wholeWordPattern("example.com")) == ["d"])
        #expect(ref.clause("核linux") == ["e"])
        #expect(ref.clause("ＬＩＮＵＸ") == ["e"])
        #expect(ref.clause("2000亿") == ["e"])
        #expect(ref.clause("中国人民") == ["f"])
        #expect(ref.clause("한국어검색") == [])
        #expect(ref.clause("，。") == [])
        #expect(OracleRef.clauses(#"a "b c" d"#) == ["a", "b c", "d"])
    }

    @Test func singleWriterMatchesOracle() throws {
        let fx = OracleFixture.shared
        let w = try IndexWriter(schema: .text)
        for d in fx.docs { try w.add(Document(id: d.id, text: d.text)) }
        let s = w.snapshot()
        #expect(s.documentCount == fx.docs.count)
        let ref = OracleRefCorpus(fx.docs.map { (id: $0.id, text: $0.text) })
        let keepWS = OracleRefCorpus(fx.docs.map { (id: $0.id, text: $0.text) }, normalize: OracleRef.fold)
        let queries = oracleQueries(count: Self.mainQueryCount, seed: 0xA11CE, ref: ref)
        if let dir = ProcessInfo.processInfo.environment["ORACLE_DUMP"] {
            try oracleDump(to: dir, docs: fx.docs, queries: queries, ref: ref)
        }
        let stats = runOracle(s, ref: ref, keepWS: keepWS, queries: queries, label: "single writer",
                              invariantEvery: 7, highlightLimit: 300)
        print("SearchOracleTests single writer: \(fx.docs.count) documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")
        #expect(stats.wrapSpanning >= 50, "too few queries span a line wrap: \(stats.wrapSpanning)")
        #expect(stats.nonEmpty >= stats.queries / 2)
    }

    @Test func twoThreadIndexMatchesOracle() throws {
        let fx = OracleFixture.shared
        let w = try IndexWriter(schema: .text)
        // A few documents first, then one batch on two threads that replaces some of them and
        // holds duplicate ids (the later one wins).
        let head = Array(fx.docs.prefix(20))
        for d in head { try w.add(Document(id: d.id, text: d.text)) }
        var batch = fx.docs.dropFirst(20).map { Document(id: $0.id, text: $0.text) }
        var final: [String: String] = [:]
        var order: [String] = []
        for d in head { final[d.id] = d.text; order.append(d.id) }
        for (k, id) in ["seed0", "trap3", "gen0"].enumerated() where final[id] != nil || batch.contains(where: { $0.id == id }) {
            batch.append(Document(id: id, text: fx.spareTexts[k]))
        }
        for k in 0..<5 { batch.insert(Document(id: head[k * 3].id, text: fx.spareTexts[10 + k]), at: batch.count / 2) }
        for d in batch {
            if final[d.id] == nil { order.append(d.id) }
            final[d.id] = d["text"]!
        }
        try w.add(contentsOf: batch, threads: 2)
        let s = w.snapshot()
        #expect(s.documentCount == final.count)
        #expect(try s.statistics.segments >= 2, "the batch should have been split over two threads")
        let ref = OracleRefCorpus(order.map { (id: $0, text: final[$0]!) })
        let queries = oracleQueries(count: 1000, seed: 0xB0B, ref: ref)
        let stats = runOracle(s, ref: ref, keepWS: nil, queries: queries, label: "two threads", invariantEvery: 10)
        print("SearchOracleTests two threads: \(final.count) documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")
    }

    /// `a (b OR -c)`: an alternative that is negated, inside a conjunction. Run in a child process
    /// because it can crash the library (at the time of writing an arithmetic overflow trap in
    /// `QueryEvaluator.cost`, which adds `Int.max`, the cost of the `-c` branch, to the others).
    @Test func negatedAlternativeInsideConjunction() async {
        // The child exits with 42 when every query matched the reference, so that `.failure`
        // (any status but success) matches every outcome and the parent can look at crashes too.
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let mismatches = (try? oracleCheckNegatedAlternatives(count: 300)) ?? -1
            exit(mismatches == 0 ? 42 : 43)
        }
        guard let result else { return }
        if result.exitStatus == .exitCode(42) { return }
        let lines = String(decoding: result.standardErrorContent, as: UTF8.self).split(separator: "\n")
        var message = "queries like `a (b OR -c)` must run and match the reference; the child process ended with \(result.exitStatus)"
        if let last = lines.last(where: { $0.hasPrefix("ORACLE-RUNNING ") }) {
            message += "; last query started: " + last.dropFirst("ORACLE-RUNNING ".count)
        }
        for l in lines where l.contains("runtime failure") || l.hasPrefix("ORACLE-MISMATCH") {
            message += "\n" + l
        }
        Issue.record(Comment(rawValue: message))
    }

    /// Emitting unigrams as well as bigrams (an analysis option) must not change what matches.
    @Test func unigramOptionMatchesOracle() throws {
        let fx = OracleFixture.shared
        let w = try IndexWriter(schema: .text, analyzer: try BigramAnalyzer(.init(emitUnigrams: true)))
        for d in fx.docs { try w.add(Document(id: d.id, text: d.text)) }
        let s = w.snapshot()
        let ref = OracleRefCorpus(fx.docs.map { (id: $0.id, text: $0.text) })
        let queries = oracleQueries(count: 800, seed: 0x0A16, ref: ref)
        let stats = runOracle(s, ref: ref, keepWS: nil, queries: queries, label: "unigrams", invariantEvery: 10, highlightLimit: 100)
        print("SearchOracleTests unigrams: \(fx.docs.count) documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")
    }

    @Test func twoFieldSchemaMatchesOracle() throws {
        let fx = OracleFixture.shared
        let w = try IndexWriter(schema: Schema([.init("title", boost: 2), .init("body")]))
        var docs: [(id: String, fields: [String: String])] = []
        for (i, d) in fx.docs.enumerated() {
            // A title cut from the start of the text (at a line wrap or not), the rest as body;
            // some documents lack one of the fields.
            let chars = Array(d.text)
            let cut = min(chars.count, [8, 16, 30][i % 3])
            var f: [String: String] = [:]
            if i % 11 != 5 { f["title"] = String(chars[..<cut]) }
            if i % 13 != 7 { f["body"] = String(chars[cut...]) }
            docs.append((id: d.id, fields: f))
            try w.add(Document(id: d.id, fields: f))
        }
        let s = w.snapshot()
        let ref = OracleRefCorpus(fields: docs, fieldNames: ["title", "body"])
        var rng = SplitMix64(0x717E)
        let queries = oracleQueries(count: 800, seed: 0xF1E1D, ref: ref).map { g -> OracleGenQuery in
            var g = g
            g.tree = g.tree.mapFields { f in f != nil || rng.uniformChance(0.3) ? rng.uniformPick(["title", "body"]) : nil }
            return g
        }
        let stats = runOracle(s, ref: ref, keepWS: nil, queries: queries, label: "title+body",
                              invariantEvery: 8, highlightLimit: 150)
        print("SearchOracleTests title+body: \(docs.count) documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")
    }

    @Test func deletesAndUpdatesMatchOracle() throws {
        let fx = OracleFixture.shared
        var rng = SplitMix64(0xDE1E7E)
        let w = try IndexWriter(schema: .text)
        var live: [String: String] = [:]
        var order: [String] = []
        func add(_ id: String, _ text: String) throws {
            try w.add(Document(id: id, text: text))
            if live[id] == nil { order.append(id) }
            live[id] = text
        }
        func delete(_ id: String) {
            let existed = live.removeValue(forKey: id) != nil
            order.removeAll { $0 == id }
            #expect(w.delete(id: id) == existed, "delete(id: \(id))")
        }
        let split = fx.docs.count * 6 / 10
        for d in fx.docs[..<split] { try add(d.id, d.text) }
        let first = w.snapshot()
        let firstState = order.map { (id: $0, text: live[$0]!) }
        // Changes to the frozen segment: deletes, updates, delete-then-re-add.
        var spare = fx.spareTexts.makeIterator()
        for d in fx.docs[..<split] {
            switch rng.uniformInt(0..<10) {
            case 0: delete(d.id)
            case 1: try add(d.id, spare.next() ?? "常熟")
            case 2: delete(d.id); try add(d.id, d.text + "\n追加linux内核")
            default: break
            }
        }
        // The rest, with changes while they are still buffered.
        for d in fx.docs[split...] { try add(d.id, d.text) }
        for d in fx.docs[split...] {
            switch rng.uniformInt(0..<10) {
            case 0: delete(d.id)
            case 1: try add(d.id, spare.next() ?? "熟悉")
            default: break
            }
        }
        delete("no-such-id")
        try add("late", "最后加入的常熟市参\n观考察文档")
        delete("late")
        try add("late", "最后重新加入的小微企\n业园")
        let s = w.snapshot()
        #expect(s.documentCount == live.count)
        #expect(w.documentCount == live.count)

        let ref = OracleRefCorpus(order.map { (id: $0, text: live[$0]!) })
        let queries = oracleQueries(count: 900, seed: 0xC0FFEE, ref: ref)
        let stats = runOracle(s, ref: ref, keepWS: nil, queries: queries, label: "deletes+updates", invariantEvery: 10)
        print("SearchOracleTests deletes+updates: \(live.count) live documents; " + oracleSummary(stats))
        #expect(stats.failures == 0, "\(oracleSummary(stats))")

        // The first snapshot is immutable: it still answers for the documents of its time.
        let refFirst = OracleRefCorpus(firstState)
        let q1 = oracleQueries(count: 300, seed: 0xF1257, ref: refFirst)
        let stats1 = runOracle(first, ref: refFirst, keepWS: nil, queries: q1, label: "first snapshot")
        print("SearchOracleTests first snapshot: \(firstState.count) documents; " + oracleSummary(stats1))
        #expect(stats1.failures == 0, "\(oracleSummary(stats1))")
        #expect(first.documentCount == firstState.count)
    }
}
