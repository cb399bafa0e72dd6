extension IndexWriter {
    /// A test hook, nil (off) by default. When set, every segment a writer builds (its buffer
    /// frozen, or one thread's share of ``add(contentsOf:threads:)``, after it is written out)
    /// and every segment `SegmentMerger` merges is checked whole with `checkInvariants` — sorted
    /// terms, documents in range and ascending, positions ascending and below the field lengths,
    /// stored values readable, the id table consistent (see `Segment.checkInvariants(deleted:)`)
    /// — and each violation is handed to the hook: how the segment was made, the segment and its
    /// first problem. The writer goes on as if nothing was found. It costs about as much as
    /// building the segment again: the tests switch it on for the whole test run
    /// (Tests/BigramSearchTests/Support/SegmentInvariants.swift) and turn each violation into a
    /// test failure.
    package static var onInvariantViolation: (@Sendable (_ violation: String) -> Void)? {
        get { invariantHook.withLock { $0 } }
        set { invariantHook.withLock { $0 = newValue } }
    }

    private static let invariantHook = Locked<(@Sendable (String) -> Void)?>(nil)
}

extension Segment {
    /// Checks the invariants of this segment, just made as `made` says (with the documents in
    /// `deleted` deleted), when ``IndexWriter/onInvariantViolation`` is set, and reports a
    /// violation to it. Nothing when the hook is off.
    func reportInvariantViolations(made: @autoclosure () -> String, deleted: DocumentSet? = nil) {
        guard let report = IndexWriter.onInvariantViolation else { return }
        do { try checkInvariants(deleted: deleted) } catch { report("\(made()): \(error.description)") }
    }
}

extension IndexSnapshot {
    /// Checks every invariant of the snapshot's segments (with their deletions, see
    /// `Segment.checkInvariants(deleted:)`), and across them: one deletion set per segment, its
    /// members below the segment's document count, and each live id once in the whole snapshot.
    ///
    /// - Throws: ``StorageError/corrupt(path:reason:)`` naming the segment and the first
    ///   violation, or the checksum error of a damaged section.
    /// - Complexity: O(index size).
    package func checkInvariants() throws(StorageError) {
        guard deletions.count == segments.count else {
            throw .corrupt(path: "snapshot", reason: "\(deletions.count) deletion sets for \(segments.count) segments")
        }
        var live = Set<String>()
        for (segment, deleted) in zip(segments, deletions) {
            if let last = deleted.members.last, Int(last) >= segment.documentCount {
                throw .corrupt(path: segment.displayName, reason: "document \(last) is deleted, of \(segment.documentCount)")
            }
            try segment.checkInvariants(deleted: deleted)
            for doc in 0..<segment.documentCount where !deleted.contains(UInt32(doc)) {
                guard live.insert(segment.id(doc)).inserted else {
                    throw .corrupt(path: segment.displayName, reason: "id \"\(segment.id(doc))\" is live in another segment too")
                }
            }
        }
    }
}
