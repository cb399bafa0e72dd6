import Foundation

// Helpers shared by the test files: deterministic random numbers, the seed pages, temporary
// directories, the reference character classes of shared/corpus/oracle.py, and the random query
// generator of the storage and writer tests. Nothing here uses the library.

// MARK: - Deterministic random numbers

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same sequence on every platform, so
/// that generated documents and queries are the same on every run.
///
/// Two families of methods map the numbers to ranges, and they draw *different* values from the
/// same state; each test keeps the family it was written with (switching would change its
/// generated data):
/// - `int`, `pick`, `chance(_ percent:)` and `below` take `next()` modulo the size of the range;
/// - `uniformInt`, `uniformPick` and `uniformChance(_ probability:)` go through the standard
///   library (`Int.random(in:using:)`, `Double.random(in:using:)`), as does any other use of the
///   generator as a `RandomNumberGenerator`.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(_ seed: UInt64) { state = seed }
    init(state: UInt64) { self.state = state }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // Modulo mappings.

    /// A number in `0..<n` (the same as `int(0..<n)`).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func pick<T>(_ a: [T]) -> T { a[int(0..<a.count)] }
    /// True `percent` times in 100.
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }

    // Standard-library mappings.

    mutating func uniformInt(_ r: Range<Int>) -> Int { Int.random(in: r, using: &self) }
    mutating func uniformInt(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &self) }
    mutating func uniformPick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &self)] }
    /// True with probability `p`.
    mutating func uniformChance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

// MARK: - Seed pages

/// The seed pages: the `*.txt` files in `seeds/` at the repository root.
enum Seeds {
    /// The repository root (this file is in `Tests/BigramSearchTests/`).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = repositoryRoot.appendingPathComponent("seeds")

    /// The file names of the seed pages, sorted.
    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".txt") }.sorted()
    }

    /// The text of the seed page `name` (a file name in `seeds/`).
    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// The text of every seed page, in name order.
    static func texts() throws -> [String] { try names().map(text) }

    /// `text` split into paragraphs on blank (whitespace-only) lines: line wraps inside a paragraph
    /// are kept, spaces and tabs around a paragraph removed, empty paragraphs dropped.
    static func paragraphs(in text: String) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")); current = [] }
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
        return paragraphs.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Every seed page (its file name without `.txt`) with its paragraphs.
    static func paragraphsByPage() throws -> [(page: String, paragraphs: [String])] {
        try names().map { name in (String(name.dropLast(4)), paragraphs(in: try text(name))) }
    }

    /// The paragraphs of every seed page, in order (about 280).
    static func paragraphs() throws -> [String] { try texts().flatMap(paragraphs(in:)) }
}

// MARK: - Temporary directories

/// A fresh path under the temporary directory, `<test file>-<tag>-<UUID>` (`StorageTests-text-…`
/// when called from StorageTests.swift). Not created: `IndexStore.save` and `IndexWriter` create it.
func temporaryIndexPath(_ tag: String = "index", fileID: String = #fileID) -> String {
    let file = fileID.split(separator: "/").last.map(String.init) ?? fileID
    let owner = file.hasSuffix(".swift") ? String(file.dropLast(".swift".count)) : file
    return FileManager.default.temporaryDirectory
        .appendingPathComponent("\(owner)-\(tag)-\(UUID().uuidString)").path
}

func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// The names in the directory at `path`, sorted (none when it cannot be read).
func listDirectory(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

// MARK: - Reference character classes

/// The character classes of shared/corpus/oracle.py, for the tests' independent references.
enum OracleCharacterClasses {
    /// HAN_KANA.
    static let hanKanaRanges: [ClosedRange<UInt32>] = [
        0x3005...0x3005, 0x3007...0x3007, 0x3021...0x3029, 0x3038...0x303B, 0x3041...0x309F,
        0x30A0...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF,
        0x1B000...0x1B16F, 0x20000...0x323AF,
    ]
    /// HANGUL.
    static let hangulRanges: [ClosedRange<UInt32>] = [
        0x1100...0x11FF, 0x3130...0x318F, 0xA960...0xA97F, 0xAC00...0xD7AF, 0xD7B0...0xD7FF,
    ]
    /// Python's `str.isspace()` (what `\s` means in oracle.py).
    static let spaces: Set<UInt32> = [
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    ]
}

// MARK: - Random queries

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
