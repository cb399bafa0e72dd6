/// What every document a subquery returns must satisfy, checked by the evaluator before it
/// reads a candidate's positions: not deleted, in the matches of the AND clauses evaluated
/// before it (when ``set`` is given), and passing the AND's filters (``tests``).
///
/// A restriction never changes a score: it only removes documents that the enclosing AND would
/// remove afterwards.
struct DocumentRestriction {
    let deleted: DocumentSet
    var set: DocumentSet?
    var tests: [ColumnTest] = []

    @inline(__always) func admits(_ doc: UInt32) -> Bool {
        if deleted.contains(doc) { return false }
        if set?.contains(doc) == false { return false }   // (in place: `if let` would copy the set)
        return passesTests(doc)
    }

    @inline(__always) func passesTests(_ doc: UInt32) -> Bool {
        for i in tests.indices where !tests[i].passes(doc) { return false }
        return true
    }
}
