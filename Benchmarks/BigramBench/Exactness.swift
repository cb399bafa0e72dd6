/// How result sets compare with the expected sets (ids compared as sets, order ignored).
struct Exactness {
    /// Queries of the group.
    var queries = 0
    /// Queries that have an expected set (only these are judged).
    var judged = 0
    /// Judged queries whose result set equals the expected set.
    var exact = 0
    /// Ids returned that are not expected, summed over the judged queries.
    var falsePositives = 0
    /// Expected ids not returned, summed over the judged queries.
    var misses = 0
    /// Judged queries with at least one false positive.
    var queriesWithFalsePositives = 0
    /// Judged queries with at least one miss.
    var queriesWithMisses = 0
    /// Queries the engine could not run (a syntax error, a failed statement); their result is
    /// taken as empty.
    var errors = 0

    /// Counts one query: `got` are the ids returned (nil when the engine failed), `expected` the
    /// expected ids (nil when unknown).
    mutating func record(got: [String]?, expected: [String]?) {
        queries += 1
        if got == nil { errors += 1 }
        guard let expected else { return }
        judged += 1
        let g = Set(got ?? []), e = Set(expected)
        let extra = g.subtracting(e).count
        let missing = e.subtracting(g).count
        falsePositives += extra
        misses += missing
        if extra > 0 { queriesWithFalsePositives += 1 }
        if missing > 0 { queriesWithMisses += 1 }
        if extra == 0 && missing == 0 { exact += 1 }
    }
}
