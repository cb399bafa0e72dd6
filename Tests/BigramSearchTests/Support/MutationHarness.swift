import Foundation
@testable import BigramSearch

// The mutation harness of CraftedDamageTests and FuzzTests: valid segment files built from the
// seed pages, mutations of their sections (with or without recomputing the checksums), and the
// run of every reader over a mutated file (run under a Watchdog against hangs, Watchdog.swift).

// MARK: - Mutations

/// One change to a segment file.
struct Mutation: Sendable, CustomStringConvertible {
    enum Change: Sendable {
        case flipBit(byte: Int, bit: Int)           // offset in the section
        case setByte(at: Int, UInt8)
        case setU32(at: Int, UInt32)
        case setU64(at: Int, UInt64)
        case setLength(Int)                          // the section's length in the table
        case headerU32(at: Int, UInt32)              // a header field
    }
    var section: SectionInfo
    var changes: [Change]
    /// Recompute the CRCs afterwards (crafted damage) or not (plain damage: a checksum error).
    var keepChecksums: Bool

    var description: String {
        let what = changes.map { c -> String in
            switch c {
            case .flipBit(let b, let bit): return "flip bit \(bit) of byte \(b)"
            case .setByte(let at, let v): return "byte \(at) = \(v)"
            case .setU32(let at, let v): return "u32 at \(at) = \(v)"
            case .setU64(let at, let v): return "u64 at \(at) = \(v)"
            case .setLength(let l): return "length = \(l) (was \(section.length))"
            case .headerU32(let at, let v): return "header u32 at \(at) = \(v)"
            }
        }.joined(separator: ", ")
        return "\(section.kindName) of field \(section.field): \(what)\(keepChecksums ? " (checksums recomputed)" : "")"
    }

    func apply(to image: SegmentImage) -> [UInt8] {
        var b = image.bytes
        let base = section.offset
        for c in changes {
            switch c {
            case .flipBit(let byte, let bit): b[base + byte] ^= UInt8(1 << bit)
            case .setByte(let at, let v): b[base + at] = v
            case .setU32(let at, let v): SegmentImage.setU32(&b, base + at, v)
            case .setU64(let at, let v): SegmentImage.setU64(&b, base + at, v)
            case .setLength(let l): SegmentImage.setU64(&b, section.tableEntryOffset + 16, UInt64(l))
            case .headerU32(let at, let v): SegmentImage.setU32(&b, at, v)
            }
        }
        if keepChecksums { SegmentImage.recomputeChecksums(&b) }
        return b
    }
}

/// Generates mutations of a section: bit flips; u32/u64 fields set to 0, 1, max, count ± 1 and
/// random values; bytes set to varint-breaking values; shortened lengths.
struct MutationGenerator {
    var rng: SplitMix64
    let documentCount: Int

    init(seed: UInt64, documentCount: Int) {
        rng = SplitMix64(seed)
        self.documentCount = documentCount
    }

    private mutating func interesting32(_ old: UInt32) -> UInt32 {
        let n = UInt32(truncatingIfNeeded: documentCount)
        let choices: [UInt32] = [0, 1, UInt32.max, UInt32.max - 1, 1 << 31, n, n &+ 1, n &- 1, old &+ 1, old &- 1,
                                 old &* 2, 1 << 30, 1 << 16, UInt32(truncatingIfNeeded: rng.next())]
        return rng.pick(choices)
    }

    private mutating func interesting64(_ old: UInt64) -> UInt64 {
        let n = UInt64(documentCount)
        let choices: [UInt64] = [0, 1, UInt64.max, 1 << 63, 1 << 32, UInt64(UInt32.max), n, n + 1, n &- 1,
                                 old &+ 1, old &- 1, old &* 2, rng.next()]
        return rng.pick(choices)
    }

    /// One mutation of `section` in `image` (crafted: checksums recomputed unless `plain`).
    mutating func mutation(of section: SectionInfo, in image: SegmentImage, plain: Bool = false) -> Mutation {
        let len = section.length
        var changes: [Mutation.Change] = []
        let b = image.bytes
        if plain {
            // Any change at all (the length of an empty section cannot change its bytes).
            if len == 0 { return Mutation(section: section, changes: [], keepChecksums: false) }
            changes.append(.flipBit(byte: rng.int(0..<len), bit: rng.int(0..<8)))
            return Mutation(section: section, changes: changes, keepChecksums: false)
        }
        let kind = SegmentFile.Kind(rawValue: section.kind)
        let wordSized: Bool = kind == .lengths || kind == .dictionaryBlocks || kind == .fieldInfo
            || kind == .idOffsets || kind == .storedOffsets
        let roll = rng.int(0..<100)
        if len == 0 || roll < 4 {
            // Shorten (or, rarely, lengthen into the next section) the section.
            let choices = [0, max(0, len - 1), max(0, len - 4), max(0, len - 8), len / 2, len + 1, len + 8]
            changes.append(.setLength(rng.pick(choices)))
        } else if roll < 30 {
            changes.append(.flipBit(byte: rng.int(0..<len), bit: rng.int(0..<8)))
        } else if roll < 70 && len >= 4 {
            // A u32 (aligned for the tables of u32/u64, anywhere in bit streams and entries).
            var at = rng.int(0...(len - 4))
            if wordSized { at &= ~3 }
            if kind == .fieldInfo || kind == .idOffsets || kind == .storedOffsets, len >= 8, rng.chance(60) {
                at = rng.int(0...(len - 8)) & ~7
                changes.append(.setU64(at: at, interesting64(SegmentImage.u64(b, section.offset + at))))
            } else {
                changes.append(.setU32(at: at, interesting32(SegmentImage.u32(b, section.offset + at))))
            }
        } else if roll < 90 {
            // Bytes that break varints and entry headers.
            let at = rng.int(0..<len)
            let values: [UInt8] = [0, 1, 0x7F, 0x80, 0xF0, 0xFF, 0xEF, 0x0F, UInt8(truncatingIfNeeded: rng.next())]
            changes.append(.setByte(at: at, rng.pick(values)))
            if rng.chance(30), at + 1 < len { changes.append(.setByte(at: at + 1, 0xFF)) }
        } else {
            // Several flips at once.
            for _ in 0..<rng.int(2...8) { changes.append(.flipBit(byte: rng.int(0..<len), bit: rng.int(0..<8))) }
        }
        return Mutation(section: section, changes: changes, keepChecksums: true)
    }
}

// MARK: - The fixture

/// A saved index of the seed pages in several segments (a large one whose `tags` field has terms
/// in more than 128 documents, so postings with skip tables), its segment files as images, and
/// the queries every mutated file is searched with.
final class DamageFixture: Sendable {
    static let schema = Schema([.init("title", boost: 2), .init("body"), .init("url", indexed: false),
                                .init("tags", stored: false)])
    static let queries = [
        "常", "熟", "的", "常熟", "发展", "经济 发展", "\"经济 发展\"", "linu*", "kern*", "Linux内核", "常熟 OR 企业",
        "(发展 OR 企业) 经济", "发展 -常熟", "title:常熟", "body:(发展 OR 企业)", "tags:even", "even OR odd",
        "tags:偶数 常熟", "tags:数", "version", "不存在的词语组合",
    ]

    let directory: String
    let snapshot: IndexSnapshot
    /// The segment files, in manifest order.
    let images: [SegmentImage]
    /// The segments decoded from the images (shared by the cases that mutate another one).
    let intact: [Segment]
    /// Each query's outcome on the intact index.
    let reference: [String]

    init() throws {
        let docs = try Self.documents()
        directory = temporaryIndexPath("fixture")
        let w = try IndexWriter(schema: Self.schema)
        try w.add(contentsOf: docs[..<(docs.count - 40)])
        _ = w.snapshot()
        try w.add(contentsOf: docs[(docs.count - 40)..<(docs.count - 15)])
        _ = w.snapshot()
        try w.add(contentsOf: docs[(docs.count - 15)...])
        _ = w.delete(id: docs[3].id)
        try IndexStore.save(w.snapshot(), to: directory)
        let opened = try IndexStore.verify(at: directory)
        snapshot = opened
        intact = opened.segments
        images = try opened.segments.map { s in
            let path = s.origin!
            return SegmentImage(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        reference = Self.queries.map { Self.outcome(opened, $0) }
    }

    deinit { removeDirectory(directory) }

    static func documents() throws -> [Document] {
        let words = ["Linux", "Swift", "kernel", "search", "index", "Unicode", "GPU", "bigram", "Apple", "server"]
        var docs: [Document] = []
        var n = 0
        for (page, paragraphs) in try Seeds.paragraphsByPage() {
            for (i, p) in paragraphs.enumerated() {
                var body = p
                if n % 3 == 0 { body += " " + words[n % words.count] }
                if n % 11 == 2 { body = "Linux内核 " + body }
                var fields = ["body": body, "url": "https://example.org/\(page)/\(i)",
                              "tags": n % 2 == 0 ? "偶数 even" : "奇数 odd"]
                if n % 7 != 3 { fields["title"] = String(p.prefix(6 + n % 5)) }
                docs.append(Document(id: "\(page)/\(i)", fields: fields))
                n += 1
            }
        }
        return docs
    }

    /// A query's result in comparable form.
    static func outcome(_ s: IndexSnapshot, _ q: String) -> String {
        do {
            let r = try s.search(q, options: SearchOptions(limit: 5))
            return "\(r.totalCount) \(r.hits.map(\.id))"
        } catch {
            return "error \(error)"
        }
    }
}

// MARK: - Running a case

/// What one mutated file did.
struct CaseResult {
    /// Decoding threw (a typed StorageError).
    var rejectedAtOpen: StorageError?
    /// The first search (or count, ids, statistics) that threw damagedIndex.
    var searchError: StorageError?
    /// What verifyAll and checkStoredValues (IndexStore.verify's checks) threw.
    var verifyError: StorageError?
    /// Whether every query gave the intact index's answer.
    var sameAnswers = true
    var problems: [String] = []
}

/// Decodes `bytes` as segment `k` of the fixture, then runs every reader on it: searches of
/// every query (ranked, all matches, lenient), count, matchingIDs, statistics and the full
/// verification. Anything but a typed error naming the segment, or an answer, is a problem.
func runCase(_ fixture: DamageFixture, segment k: Int, bytes: [UInt8]) -> CaseResult {
    var result = CaseResult()
    let path = fixture.images[k].path
    func expectNamesSegment(_ e: StorageError, _ what: String) {
        if let p = problem(of: e, naming: path, what, versionErrors: true) { result.problems.append(p) }
    }
    guard let (segment, s) = replacingSegment(k, with: bytes, path: path, in: fixture.snapshot, intact: fixture.intact,
                                              versionErrors: true, result: &result) else { return result }
    func note(_ error: SearchError, _ what: String) {
        guard case .damagedIndex(let e) = error else {
            result.problems.append("\(what): threw \(error), not damagedIndex")
            return
        }
        expectNamesSegment(e, what)
        if result.searchError == nil { result.searchError = e }
    }
    for (i, q) in DamageFixture.queries.enumerated() {
        let limit = i % 3 == 2 ? Int.max : 10
        do {
            let r = try s.search(q, options: SearchOptions(limit: limit))
            if i % 3 != 2, "\(r.totalCount) \(r.hits.prefix(5).map(\.id))" != fixture.reference[i] { result.sameAnswers = false }
        } catch {
            note(error, "search \(q)")
            result.sameAnswers = false
        }
        _ = try? s.search(lenient: q)   // damage may throw; a crash or hang fails the case
    }
    do throws(SearchError) {
        let q = Query.any([.phrase("发展"), .phrase("linu", prefix: true)])
        _ = try s.count(q)
        _ = try s.matchingIDs(q)
        _ = try s.matches(.not(.phrase("常熟")))
    } catch {
        note(error, "count/matchingIDs")
    }
    do { _ = try s.statistics } catch { note(.damagedIndex(error), "statistics") }   // (statistics throws the StorageError itself)
    do { try segment.verifyAll(); try segment.checkStoredValues() } catch {
        expectNamesSegment(error, "verify")
        result.verifyError = error
    }
    return result
}

/// What is wrong with `e` as the error of a damaged segment file at `path` (nil: nothing): it must
/// be a typed error naming that file (`corrupt`, `checksumMismatch`, and `unsupportedVersion`
/// when `versionErrors`).
func problem(of e: StorageError, naming path: String, _ what: String, versionErrors: Bool) -> String? {
    switch e {
    case .corrupt(let p, _), .checksumMismatch(let p):
        return p == path ? nil : "\(what): error names \(p), not \(path): \(e)"
    case .unsupportedVersion(let p, _, _) where versionErrors:
        return p == path ? nil : "\(what): error names \(p), not \(path): \(e)"
    default:
        return "\(what): unexpected error \(e)"
    }
}

/// Decodes `bytes` as segment `k` of `snapshot` (whose intact segments are `intact`): that
/// segment and the snapshot with it in place, or nil when decoding threw — then recorded in
/// `result.rejectedAtOpen`, with a problem unless the error names the segment.
func replacingSegment(_ k: Int, with bytes: [UInt8], path: String, in snapshot: IndexSnapshot, intact: [Segment],
                      versionErrors: Bool, result: inout CaseResult) -> (Segment, IndexSnapshot)? {
    let segment: Segment
    do {
        segment = try SegmentFile.decode(ByteBuffer(bytes), path: path, schema: snapshot.schema)
    } catch {
        if let p = problem(of: error, naming: path, "open", versionErrors: versionErrors) { result.problems.append(p) }
        result.rejectedAtOpen = error
        return nil
    }
    var segments = intact
    segments[k] = segment
    return (segment, IndexSnapshot(schema: snapshot.schema, analyzer: snapshot.analyzer, segments: segments,
                                   deletions: snapshot.deletions))
}
