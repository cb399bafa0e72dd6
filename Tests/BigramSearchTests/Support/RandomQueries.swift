// The random query generator of the storage and writer tests.

private func isHan(_ c: Character) -> Bool {
    guard let s = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return false }
    return (0x4E00...0x9FFF).contains(s.value) || (0x3400...0x4DBF).contains(s.value)
}

/// Runs of Han characters in `text`.
private func hanRuns(_ text: String) -> [[Character]] {
    var runs: [[Character]] = []
    var cur: [Character] = []
    for c in text {
        if isHan(c) { cur.append(c) } else if !cur.isEmpty { runs.append(cur); cur = [] }
    }
    if !cur.isEmpty { runs.append(cur) }
    return runs
}

/// `fixed`, then generated queries until there are `count`: Han substrings of 1–6 characters of
/// `texts`, words of `words` and their prefixes, mixed clauses, and multi-clause queries with OR,
/// `-`, groups, phrases and (when `fields` is not empty) fields. The same seed gives the same
/// queries.
func randomQueries(after fixed: [String], texts: [String], words: [String], fields: [String], count: Int, seed: UInt64) -> [String] {
    var rng = SplitMix64(seed)
    let runs = texts.flatMap(hanRuns).filter { !$0.isEmpty }
    func cjk() -> String {
        let run = rng.pick(runs)
        let len = min(run.count, rng.int(1...6))
        let start = rng.int(0...(run.count - len))
        return String(run[start..<(start + len)])
    }
    func word() -> String { rng.pick(words) }
    func atom() -> String {
        switch rng.int(0..<10) {
        case 0..<6: return cjk()
        case 6..<8: return word()
        case 8: return word() + cjk()
        default: return cjk() + word()
        }
    }
    var queries = fixed
    while queries.count < count {
        switch rng.int(0..<20) {
        case 0..<8: queries.append(cjk())
        case 8..<10: queries.append(word())
        case 10: queries.append(word().prefix(3) + "*")
        case 11..<13: queries.append(word() + cjk())
        case 13: queries.append("\(atom()) \(atom())")
        case 14: queries.append("\(atom()) OR \(atom())")
        case 15: queries.append("\(atom()) -\(atom())")
        case 16: queries.append("(\(atom()) OR \(atom())) \(atom())")
        case 17: queries.append("\"\(cjk()) \(cjk())\"")
        case 18: queries.append(fields.isEmpty ? cjk() : "\(rng.pick(fields)):\(atom())")
        default: queries.append("\(atom()) \(atom()) OR \(atom()) -\(atom())")
        }
    }
    return queries
}
