import Foundation
import Testing
@testable import BigramSearch

// Crafted damage: segment files whose sections hold wrong values under valid checksums (as a
// faulty or hostile writer would produce), and plain damage (checksums not recomputed). Every
// case must end in a typed error naming the file or in an answer, never a trap, a hang or a
// huge allocation (docs/FORMAT.md §Validation). The generated cases run in a child process, so
// that a crash fails the test instead of ending the test run; a watchdog ends a case that hangs.

/// Runs the generated cases of `kinds` (section kinds) in this process and returns the problems
/// found, then a summary line. `plain`: damage without recomputed checksums.
private func runGeneratedCases(kinds: Set<UInt32>, plain: Bool, iterations: Int, seed: UInt64, log: String?) throws -> (problems: [String], summary: String) {
    let fixture = try DamageFixture()
    let watchdog = Watchdog(limit: .seconds(20), log: log)
    var problems: [String] = []
    var counts = (cases: 0, open: 0, search: 0, verify: 0, same: 0, differentButValid: 0, files: 0)
    var slowest: (Duration, String) = (.zero, "")
    // A copy of the index directory, where some cases are written as files for IndexStore.verify
    // (the fixture's own files stay mapped by its intact segments).
    let copy = temporaryIndexPath("copy")
    try FileManager.default.copyItem(atPath: fixture.directory, toPath: copy)
    defer { removeDirectory(copy) }
    let targets = fixture.images.indices.flatMap { k in
        fixture.images[k].sections.filter { kinds.contains($0.kind) }.map { (k, $0) }
    }
    let perSection = max(1, iterations / max(1, targets.count))
    var generator = MutationGenerator(seed: seed, documentCount: fixture.intact[0].documentCount)
    for (k, section) in targets {
        for _ in 0..<perSection {
            let m = generator.mutation(of: section, in: fixture.images[k], plain: plain)
            if m.changes.isEmpty { continue }
            let bytes = m.apply(to: fixture.images[k])
            let name = "segment \(k): \(m)"
            var r = CaseResult()
            let time = watchdog.run(name) { r = runCase(fixture, segment: k, bytes: bytes) }
            counts.cases += 1
            if time > slowest.0 { slowest = (time, name) }
            if time > .seconds(3) { problems.append("\(name): took \(time)") }
            problems += r.problems.map { "\(name): \($0)" }
            if r.rejectedAtOpen != nil { counts.open += 1 }
            if r.searchError != nil { counts.search += 1 }
            if r.verifyError != nil { counts.verify += 1 }
            if r.rejectedAtOpen == nil && r.verifyError == nil { if r.sameAnswers { counts.same += 1 } else { counts.differentButValid += 1 } }
            // The full check is at least as strict as the readers: damage a search detects, verify
            // reports too.
            if r.searchError != nil && r.verifyError == nil {
                problems.append("\(name): a search reported \(r.searchError!) but verify passed")
            }
            if plain {
                // Without recomputed checksums, damage is always a checksum error for verify; for a
                // search, when it reads the damaged bytes (checksums are verified per 64 KiB chunk
                // of what is read), else it answers as if intact.
                let mismatch = StorageError.checksumMismatch(path: fixture.images[k].path)
                let detected = r.rejectedAtOpen.map { $0 == mismatch }
                    ?? ((r.searchError == mismatch || (r.searchError == nil && r.sameAnswers)) && r.verifyError == mismatch)
                if !detected {
                    problems.append("\(name): plain damage not reported as a checksum error by verify, or by a search that read it "
                                    + "(open \(String(describing: r.rejectedAtOpen)), search \(String(describing: r.searchError)), verify \(String(describing: r.verifyError)), same answers \(r.sameAnswers))")
                }
            }
            // Some cases as files, through IndexStore.verify (open + every section + structure).
            if counts.cases % 40 == 1 {
                counts.files += 1
                let file = copy + "/" + URL(fileURLWithPath: fixture.images[k].path).lastPathComponent
                try Data(bytes).write(to: URL(fileURLWithPath: file))
                let expectFailure = r.rejectedAtOpen != nil || r.verifyError != nil
                do {
                    _ = try IndexStore.verify(at: copy)
                    if expectFailure { problems.append("\(name): IndexStore.verify passed the file") }
                } catch {
                    if !expectFailure { problems.append("\(name): IndexStore.verify threw \(error), the segment checks passed") }
                }
                try Data(fixture.images[k].bytes).write(to: URL(fileURLWithPath: file))
            }
        }
    }
    let summary = "\(counts.cases) cases (\(counts.files) also as files): \(counts.open) rejected at open, "
        + "\(counts.search) failed a search, \(counts.verify) failed verify, \(counts.same) passed with the same answers, "
        + "\(counts.differentButValid) passed verify with other answers (valid but different data); slowest \(slowest.0): \(slowest.1)"
    return (problems, summary)
}

/// Runs `runGeneratedCases` in a child process; records its problems (or its crash: the case
/// it was running) as issues.
private func expectGeneratedCasesPass(_ label: String, kinds: [UInt32], plain: Bool, iterations: Int, seed: UInt64) async {
    let log = temporaryIndexPath("log")
    let report = log + ".report"
    defer { try? FileManager.default.removeItem(atPath: log); try? FileManager.default.removeItem(atPath: report) }
    let result = await #expect(processExitsWith: .success, "\(label): a case crashed, hung or had problems") {
        [kinds = kinds as [UInt32], plain = plain as Bool, iterations = iterations as Int, seed = seed as UInt64, log = log as String, report = report as String] in
        let (problems, summary) = try runGeneratedCases(kinds: Set(kinds), plain: plain, iterations: iterations, seed: seed, log: log)
        let text = (["SUMMARY: \(summary)"] + problems.prefix(40).map { "PROBLEM: \($0)" }).joined(separator: "\n")
        try Data(text.utf8).write(to: URL(fileURLWithPath: report))
        exit(problems.isEmpty ? 0 : 1)
    }
    let output = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
    for line in output.split(separator: "\n") where line.hasPrefix("SUMMARY:") { print("CraftedDamageTests \(label): \(line)") }
    if result?.exitStatus != .exitCode(0) {
        let last = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        Issue.record("\(label): \(output.isEmpty ? "crashed or hung in " + last : output)")
    }
}

private let indexKinds: [UInt32] = [5, 6, 7, 8, 9]   // dictionaryEntries, dictionaryBlocks, postings, lengths, fieldInfo
private let storedKinds: [UInt32] = [1, 2, 3, 4]     // idOffsets, idBytes, storedOffsets, storedBytes

@Suite(.checksSegmentInvariants) struct CraftedDamageTests {
    @Test func craftedDamageOfIndexSectionsGivesTypedErrorsOrAnswers() async {
        await expectGeneratedCasesPass("index sections", kinds: indexKinds, plain: false,
                                       iterations: fuzzIterations(default: 1200), seed: 0xC0FF_EE01)
    }

    @Test func plainDamageOfAnySectionIsAChecksumError() async {
        await expectGeneratedCasesPass("plain damage", kinds: indexKinds + storedKinds, plain: true,
                                       iterations: fuzzIterations(default: 1200) / 3, seed: 0xC0FF_EE02)
    }

    /// Stored text and ids (StoredTable, Deflate): crafted damage ends in a typed error or an
    /// answer, as for the index sections.
    @Test func craftedDamageOfStoredSections() async {
        await expectGeneratedCasesPass("stored sections", kinds: storedKinds, plain: false,
                                       iterations: fuzzIterations(default: 1200) / 4, seed: 0xC0FF_EE03)
    }

    /// Two values marked deflated whose size varint says 2^63 − 1: `statistics` trapped summing
    /// them in StoredTable.textByteCount (SIGILL), and Deflate.decompress would have allocated up
    /// to 2 GB for a size below 2^31.
    @Test func storedTextSizesThatOverflowStatistics() async {
        await #expect(processExitsWith: .success, "statistics of crafted stored sizes must throw or answer, not trap") {
            let f = try DamageFixture()
            var image = f.images[0]
            let offsets = image.sections.first { $0.kind == 3 && $0.field == 1 }!
            let bytes = image.sections.first { $0.kind == 4 && $0.field == 1 }!
            var changed = 0
            for i in 0..<(offsets.length / 8 - 1) where changed < 2 {
                let at = offsets.offset + 8 * i
                let o = SegmentImage.u64(image.bytes, at), next = SegmentImage.u64(image.bytes, at + 8)
                let start = Int(o & ~StoredTable.flags), end = Int(next & ~StoredTable.flags)
                guard o & StoredTable.absent == 0, end - start >= 10 else { continue }
                // Mark the value deflated, with a size varint of 2^63 − 1.
                SegmentImage.setU64(&image.bytes, at, o | StoredTable.deflated)
                for k in 0..<8 { image.bytes[bytes.offset + start + k] = 0xFF }
                image.bytes[bytes.offset + start + 8] = 0x7F
                changed += 1
            }
            guard changed == 2 else { exit(2) }
            SegmentImage.recomputeChecksums(&image.bytes)
            let segment = try SegmentFile.decode(ByteBuffer(image.bytes), path: image.path, schema: DamageFixture.schema)
            let s = IndexSnapshot(schema: DamageFixture.schema, analyzer: f.snapshot.analyzer, segments: [segment],
                                  deletions: [DocumentSet(capacity: segment.documentCount)])
            _ = try? s.statistics
        }
    }

    // MARK: Named classes of crafted damage (each once found to trap, hang or mislead)

    /// One crafted change to section `kind` of field `field` in segment 0 of the fixture: the
    /// outcome of every reader.
    private func crafted(_ fixture: DamageFixture, kind: UInt32, field: UInt32, _ transform: (inout [UInt8], SectionInfo) -> Void) -> CaseResult {
        var image = fixture.images[0]
        let s = image.sections.first { $0.kind == kind && $0.field == field }!
        var content = Array(image.bytes[s.offset..<(s.offset + s.length)])
        transform(&content, s)
        image.bytes.replaceSubrange(s.offset..<(s.offset + s.length), with: content)
        SegmentImage.recomputeChecksums(&image.bytes)
        return runCase(fixture, segment: 0, bytes: image.bytes)
    }

    private func expectDetected(_ r: CaseResult, byOpen: Bool = false, _ what: String) {
        #expect(r.problems.isEmpty, "\(what): \(r.problems)")
        if byOpen {
            #expect(r.rejectedAtOpen != nil, "\(what): opened")
        } else {
            #expect(r.rejectedAtOpen == nil, "\(what): rejected at open (\(String(describing: r.rejectedAtOpen)))")
            #expect(r.searchError != nil, "\(what): no search reported the damage")
            #expect(r.verifyError != nil, "\(what): verify passed")
        }
    }

    @Test func fieldLengthsThatDoNotSumToTheTotal() throws {
        // The report's case: a flipped byte of a field length (stats died of an overflow, search hung).
        let f = try DamageFixture()
        let r = crafted(f, kind: 8, field: 1) { b, _ in b[4 * 7 + 3] ^= 0x40 }
        expectDetected(r, "field length + 2^30")
        let r2 = crafted(f, kind: 8, field: 1) { b, _ in for i in 0..<4 { b[4 * 2 + i] = 0xFF } }
        expectDetected(r2, "field length 2^32 − 1")
    }

    @Test func totalLengthBeyondAnyDocument() throws {
        let f = try DamageFixture()
        let r = crafted(f, kind: 9, field: 1) { b, _ in for i in 8..<16 { b[i] = 0xFF } }
        expectDetected(r, byOpen: true, "totalLength 2^64 − 1")
        let r2 = crafted(f, kind: 9, field: 1) { b, _ in b[8] &+= 1 }
        expectDetected(r2, "totalLength + 1")
    }

    /// The byte offset, in the dictionary entries, of `key`'s docFrequency varint.
    private func documentFrequencyOffset(_ dictionary: TermDictionary, key: [UInt8]) -> Int? {
        var it = TermDictionary.Iterator(dictionary, block: 0)
        while true {
            let at = it.entryOffset
            guard it.next() != nil else { return nil }
            guard it.key == key else { continue }
            var r = ByteReader(dictionary.entries, offset: at)
            let (_, suffix) = TermDictionary.lengths(&r)
            return r.offset + suffix
        }
    }

    @Test func hugeDocumentFrequencyInTheDictionary() throws {
        // docFrequency varints were summed with + (overflow trap) and sized reserveCapacity.
        let f = try DamageFixture()
        let dictionary = f.intact[0].fields[1]!.dictionary
        let key = Array("发展".utf8)
        let at = try #require(documentFrequencyOffset(dictionary, key: key))
        for (what, bytes) in [("2^63 and more", [UInt8](repeating: 0xFF, count: 10)), ("0", [0]),
                              ("documents + 1", [UInt8(f.intact[0].documentCount % 128) | 0x80, UInt8(f.intact[0].documentCount / 128)])] {
            let r = crafted(f, kind: 5, field: 1) { b, _ in
                for (i, v) in bytes.enumerated() where at + i < b.count { b[at + i] = v }
            }
            #expect(r.problems.isEmpty, "\(what): \(r.problems)")
            #expect(r.searchError != nil || r.rejectedAtOpen != nil, "docFrequency \(what): searches did not report it")
            #expect(r.verifyError != nil || r.rejectedAtOpen != nil, "docFrequency \(what): verify passed")
        }
    }

    @Test func postingsOfOneTermSetToOnes() throws {
        // All-ones bit streams: gamma frequencies of 2^31 (positions(into:) looped and allocated
        // for ever), document gaps past the segment.
        let f = try DamageFixture()
        for field: UInt32 in [0, 1, 3] {
            let r = crafted(f, kind: 7, field: field) { b, _ in for i in 0..<min(b.count, 4096) { b[i] = 0xFF } }
            expectDetected(r, "postings of field \(field) all ones")
            let r2 = crafted(f, kind: 7, field: field) { b, _ in for i in 0..<min(b.count, 4096) { b[i] = 0 } }
            expectDetected(r2, "postings of field \(field) all zeros")
        }
    }

    @Test func skipTableOffsetsAndLastDocuments() throws {
        // tags has terms in more than 128 documents: postings with a skip table.
        let f = try DamageFixture()
        let tags = f.intact[0].fields[3]!
        var entries: [TermDictionary.Entry] = []
        var it = TermDictionary.Iterator(tags.dictionary, block: 0)
        while let e = it.next() { entries.append(e) }
        let big = try #require(entries.first { $0.docFrequency > 128 })
        for (what, at, value) in [("lastDoc of block 0", 0, UInt32.max), ("lastDoc of block 0", 0, 0),
                                  ("offset of block 1", 12, UInt32.max), ("offset of block 1", 12, 0),
                                  ("offset of block 0", 4, 1)] {
            let r = crafted(f, kind: 7, field: 3) { b, _ in SegmentImage.setU32(&b, big.postingsOffset + at, value) }
            expectDetected(r, "\(what) = \(value)")
        }
    }

    @Test func dictionaryKeysOutOfOrder() throws {
        // Swapping two bytes of block 1's first key: lookups may miss, verify must report it.
        let f = try DamageFixture()
        let dict = f.intact[0].fields[1]!.dictionary
        #expect(dict.blockCount > 2)
        let (o, l) = dict.firstKey(of: 1)
        #expect(l >= 2)
        let r = crafted(f, kind: 5, field: 1) { b, _ in b[o] = 0x00 }
        #expect(r.problems.isEmpty, "\(r.problems)")
        #expect(r.verifyError != nil, "verify passed a dictionary out of order")
        #expect(r.searchError != nil, "the block keys are checked on first use")
    }

    @Test func termCountOneLess() throws {
        let f = try DamageFixture()
        let r = crafted(f, kind: 9, field: 1) { b, _ in b[0] &-= 1 }
        #expect(r.problems.isEmpty, "\(r.problems)")
        #expect(r.rejectedAtOpen != nil || r.verifyError != nil, "termCount − 1 passed verify")
    }

    // MARK: Structure of valid indexes

    @Test func builtAndMergedSegmentsPassTheStructuralCheck() throws {
        let docs = try DamageFixture.documents()
        let w = try IndexWriter(schema: DamageFixture.schema)
        for chunk in stride(from: 0, to: docs.count, by: 60) {
            try w.add(contentsOf: docs[chunk..<min(docs.count, chunk + 60)])
            _ = w.snapshot()
        }
        for i in stride(from: 0, to: docs.count, by: 7) { _ = w.delete(id: docs[i].id) }
        let before = w.snapshot()
        #expect(before.segments.count >= 4)
        for s in before.segments { try s.checkStructure() }
        try w.forceMerge()
        let merged = w.snapshot()
        #expect(merged.segments.count == 1)
        for s in merged.segments { try s.checkStructure() }
        #expect(try merged.statistics.documents == before.documentCount)
        let dir = temporaryIndexPath("merged")
        defer { removeDirectory(dir) }
        try IndexStore.save(merged, to: dir)
        let verified = try IndexStore.verify(at: dir)
        #expect(try verified.statistics == merged.statistics)
    }

    @Test func statisticsReportDamage() throws {
        let f = try DamageFixture()
        let r = crafted(f, kind: 8, field: 0) { b, _ in b[1] ^= 1 }
        #expect(r.problems.isEmpty, "\(r.problems)")
        // runCase's statistics call threw (a problem otherwise); check it directly too.
        var image = f.images[0]
        let s = image.sections.first { $0.kind == 8 && $0.field == 0 }!
        image.bytes[s.offset + 1] ^= 1
        SegmentImage.recomputeChecksums(&image.bytes)
        let seg = try SegmentFile.decode(ByteBuffer(image.bytes), path: image.path, schema: DamageFixture.schema)
        let snap = IndexSnapshot(schema: DamageFixture.schema, analyzer: f.snapshot.analyzer, segments: [seg],
                                 deletions: [DocumentSet(capacity: seg.documentCount)])
        #expect(throws: StorageError.self) { _ = try snap.statistics }   // (what a search reports as SearchError.damagedIndex)
    }
}
