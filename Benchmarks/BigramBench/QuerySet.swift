import Foundation

/// One benchmark query: its text in the library's query syntax (BigramSearch.docc/QuerySyntax.md), its kind, and
/// the ids of every document that must match it when known.
struct BenchQuery {
    var text: String
    var kind: String
    /// Every matching document id (not a top 10), or nil when unknown.
    var expected: [String]?
}

/// The query kinds of the open query set, in the order reports list them.
enum QueryKind {
    static let all = ["cjk1", "cjk2", "cjk3-6", "mixed", "latin", "multi", "absent"]

    /// `kinds` in report order: the known kinds first, then any others alphabetically.
    static func ordered(_ kinds: Set<String>) -> [String] {
        all.filter(kinds.contains) + kinds.subtracting(all).sorted()
    }
}

/// Reads query files: JSON Lines, one `{"q": str, "kind": str, "expected": [str]}` per line
/// (`kind` and `expected` optional), as in `../shared/corpus/queries-open.jsonl`.
enum QueryFile {
    struct Error: Swift.Error, CustomStringConvertible {
        var description: String
    }

    static func load(_ path: String) throws(Error) -> [BenchQuery] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Error(description: "cannot read \(path): \(error.localizedDescription)")
        }
        var queries: [BenchQuery] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)),
                  let dict = object as? [String: Any] else {
                throw Error(description: "\(path):\(lineNumber): not a JSON object")
            }
            guard let q = dict["q"] as? String else {
                throw Error(description: "\(path):\(lineNumber): no \"q\" string")
            }
            var expected: [String]?
            if let value = dict["expected"], !(value is NSNull) {
                guard let ids = value as? [String] else {
                    throw Error(description: "\(path):\(lineNumber): \"expected\" must be an array of ids")
                }
                expected = ids
            }
            queries.append(BenchQuery(text: q, kind: (dict["kind"] as? String) ?? "other", expected: expected))
        }
        if queries.isEmpty { throw Error(description: "\(path): no queries") }
        return queries
    }

    /// Writes `queries` in the same format (`expected` only where known), so a drawn query set
    /// can be kept, given expected sets (e.g. by `oracle.py`) and run again with `--queries`.
    static func save(_ queries: [BenchQuery], to path: String) throws {
        var text = ""
        for q in queries {
            var members: [(String, JSON)] = [("q", .string(q.text)), ("kind", .string(q.kind))]
            if let expected = q.expected { members.append(("expected", .array(expected.map(JSON.string)))) }
            text += JSON.object(members).compact() + "\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
