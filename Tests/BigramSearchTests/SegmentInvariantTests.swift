@testable import BigramSearch
import Foundation
import Testing

// The invariant checks of segments (`Segment.checkInvariants(deleted:)`) and the writer's hook
// that runs them on every segment built or merged in the tests (Support/SegmentInvariants.swift):
// crafted segments that break an invariant are caught, and a violation fails the test.

private let schema = Schema([.init("text", stored: false)])

/// A segment of `documentCount` documents (ids `ids`, by default `d0`, `d1`, …) with one field,
/// indexed and not stored, holding `terms` in the order given: each in the documents listed, at
/// position 0, every field length 1. The postings are encoded for documents up to the largest
/// listed, so a document at or past `documentCount` is out of range in the segment.
private func craftedSegment(documentCount: Int, terms: [(key: String, docs: [UInt32])], ids: [String?]? = nil) -> Segment {
    let encodedDocuments = max(documentCount, Int(terms.flatMap(\.docs).max() ?? 0) + 1)
    var encodingLengths = FieldLengthsBuilder()
    for _ in 0..<encodedDocuments { encodingLengths.append(1) }
    var postings = ByteWriter()
    var entries: [(key: [UInt8], entry: TermDictionary.Entry)] = []
    var scratch = PostingsEncoding.Scratch()
    for (key, docs) in terms {
        let offset = postings.count
        PostingsEncoding.encode(stream: docs.flatMap { [$0, 1, 0] }, documentCount: docs.count, lengths: encodingLengths,
                                scratch: &scratch, into: &postings)
        entries.append((Array(key.utf8), .init(docFrequency: docs.count, postingsOffset: offset)))
    }
    var lengths = FieldLengthsBuilder()
    for _ in 0..<documentCount { lengths.append(1) }
    let field = FieldIndex.build(entries: entries, postings: postings, lengths: lengths, totalLength: UInt64(documentCount))
    return Segment(documentCount: documentCount, ids: StoredTable(ids ?? (0..<documentCount).map { "d\($0)" }),
                   stored: [nil], fields: [field])
}

/// The reason of the `corrupt` error `body` throws, or nil when it throws nothing.
private func violation(_ body: () throws -> Void) -> String? {
    do { try body() } catch {
        guard case StorageError.corrupt(_, let reason) = error else { return "unexpected \(error)" }
        return reason
    }
    return nil
}

@Suite(.checksSegmentInvariants) struct SegmentInvariantTests {
    @Test func craftedSegmentsBreakingAnInvariantAreCaught() throws {
        let intact = craftedSegment(documentCount: 3, terms: [("a", [0, 2]), ("b", [1])])
        #expect(violation { try intact.checkInvariants() } == nil)

        let unsorted = craftedSegment(documentCount: 3, terms: [("b", [1]), ("a", [0, 2])])
        let unsortedReason = try #require(violation { try unsorted.checkInvariants() })
        #expect(unsortedReason.contains("does not sort after"), "\(unsortedReason)")

        let outOfRange = craftedSegment(documentCount: 3, terms: [("a", [0, 2]), ("b", [3])])
        let outOfRangeReason = try #require(violation { try outOfRange.checkInvariants() })
        #expect(outOfRangeReason.contains(PostingsDamage.documentNumber.reason), "\(outOfRangeReason)")

        let noID = craftedSegment(documentCount: 3, terms: [("a", [0])], ids: ["d0", "", "d2"])
        #expect(violation { try noID.checkInvariants() } == "document 1 has no id")

        // An id twice is only a violation when both documents are live.
        let twice = craftedSegment(documentCount: 3, terms: [("a", [0])], ids: ["d0", "d1", "d0"])
        #expect(violation { try twice.checkInvariants() } == "id \"d0\" is live twice")
        var deleted = DocumentSet(capacity: 3)
        deleted.insert(0)
        #expect(violation { try twice.checkInvariants(deleted: deleted) } == nil)
    }

    @Test func theHookReportsABrokenSegmentAsAnIssue() {
        #expect(IndexWriter.onInvariantViolation != nil, "the test support switches the hook on")
        let unsorted = craftedSegment(documentCount: 3, terms: [("b", [1]), ("a", [0, 2])])
        withKnownIssue("the hook records the violation as an issue of this test") {
            unsorted.reportInvariantViolations(made: "crafted segment")
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("crafted segment: ") && $0.rawValue.contains("does not sort after") }
        }
        #expect(SegmentInvariants.violations.contains { $0.hasPrefix("crafted segment: ") && $0.contains(unsorted.displayName) })
    }

    /// Merging validates the postings it decodes, so a crafted segment with unsorted terms or an
    /// out-of-range document is an error there; an empty id is copied as it is, and the hook on
    /// `SegmentMerger.merge` finds it in the merged segment.
    @Test func theHookChecksEveryMerge() throws {
        let noID = craftedSegment(documentCount: 3, terms: [("a", [0, 2])], ids: ["d0", "", "d2"])
        let other = craftedSegment(documentCount: 2, terms: [("a", [1])], ids: ["e0", "e1"])
        var merged: Segment?
        try withKnownIssue("the merged segment has a document without an id") {
            merged = try SegmentMerger.merge([(noID, DocumentSet(capacity: 3)), (other, DocumentSet(capacity: 2))], schema: schema)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("segment merged from") && $0.rawValue.contains("document 1 has no id") }
        }
        #expect(merged?.documentCount == 5)
        // Without the empty id, merging the same segments finds nothing (a violation would also be
        // an issue of this test). Other tests run beside this one and add their own violations to
        // the shared list, so only those naming this merge's input count.
        let fine = craftedSegment(documentCount: 3, terms: [("a", [0, 2])])
        _ = try SegmentMerger.merge([(fine, DocumentSet(capacity: 3)), (other, DocumentSet(capacity: 2))], schema: schema)
        #expect(!SegmentInvariants.violations.contains { $0.contains(fine.displayName) })
    }

    /// End to end: a writer opens an index whose stored text is damaged under valid checksums
    /// (what its open checks cannot see); its merge copies the damaged bytes into the merged
    /// segment, and the hook finds them there.
    @Test func theHookFindsDamageAWriterMergesIn() throws {
        let dir = temporaryIndexPath("stored-damage")
        defer { removeDirectory(dir) }
        let first = try IndexWriter(directory: dir, mode: .create, options: .init(mergeFactor: 0))
        try first.add(Document(id: "a", text: String(repeating: "常熟市参观考察", count: 300)))
        try first.commit()
        first.close()
        let manifest = try Manifest.decode(try readBytes(dir + "/MANIFEST"), path: dir)
        let path = dir + "/" + manifest.segments[0].file
        let damaged = try #require(SegmentImage.withSection(try readBytes(path), kind: SegmentFile.Kind.storedBytes.rawValue, field: 0) { bytes in
            // After the length varint and the zlib header: a deflate stream that cannot inflate.
            for i in 4..<bytes.count { bytes[i] = 0 }
        })
        try writeBytes(path, damaged)

        let w = try IndexWriter(directory: dir, options: .init(mergeFactor: 0))
        try w.add(Document(id: "b", text: "小微企业园"))
        try withKnownIssue("the merged segment holds the damaged stored text") {
            try w.forceMerge()
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("segment merged from") && $0.rawValue.contains(path) }
        }
        w.close()
    }

    /// Every suite of the test target switches the hook on (the first to run does it for all),
    /// so that no test builds or merges a segment unchecked however the tests are filtered.
    @Test func everySuiteChecksSegmentInvariants() throws {
        let root = Seeds.repositoryRoot.appendingPathComponent("Tests/BigramSearchTests").path
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.count > 20)
        var missing: [String] = []
        for file in files {
            let lines = try String(contentsOfFile: root + "/" + file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (n, line) in lines.enumerated() {
                if line.hasPrefix("@Suite") && !line.contains(".checksSegmentInvariants") {
                    missing.append("\(file):\(n + 1): \(line)")
                }
                if line.hasPrefix("@Test") {
                    missing.append("\(file):\(n + 1): a test outside any suite")
                }
            }
        }
        #expect(missing.isEmpty, "add .checksSegmentInvariants (Support/SegmentInvariants.swift):\n\(missing.joined(separator: "\n"))")
    }
}
