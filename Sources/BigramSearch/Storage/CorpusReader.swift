import Foundation

/// Reads documents from the two corpus layouts the tools accept:
/// - a JSON Lines file, one object per line: `{"id": str, "title": str, "text": str, …}`;
/// - a directory of `.txt` files (each file one document; its id is the file name).
///
/// Invalid UTF-8 is repaired (each bad byte becomes U+FFFD); documents are returned with fields
/// `text` and, for JSON Lines, `title` (see ``Schema/corpus``).
public enum CorpusReader {
    /// Errors reading a corpus.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case malformedLine(path: String, line: Int, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let p, let r): return "cannot read \(p): \(r)"
            case .malformedLine(let p, let l, let r): return "\(p):\(l): \(r)"
            }
        }
    }

    /// Loads every document of `path` (a `.jsonl` file or a directory of `.txt` files).
    public static func load(_ path: String) throws(Error) -> [Document] {
        var docs: [Document] = []
        do { try forEach(path) { docs.append($0) } } catch let e as Error { throw e } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        return docs
    }

    /// Calls `body` with each document of `path` in order, reading a JSON Lines file a line at a
    /// time (so a corpus larger than memory can be indexed).
    public static func forEach(_ path: String, _ body: (Document) throws -> Void) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Error.unreadable(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue {
            for d in try loadDirectory(path) { try body(d) }
            return
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Error.unreadable(path: path, reason: "cannot open")
        }
        defer { try? handle.close() }
        var pending = Data()
        var lineNumber = 0
        var seen = Set<String>()
        while true {
            let chunk = handle.readData(ofLength: 4 << 20)
            pending.append(chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lineNumber += 1
                if let d = try document(fromLine: pending[start..<newline], path: path, lineNumber: lineNumber, seen: &seen) {
                    try body(d)
                }
                start = newline + 1
            }
            pending = Data(pending[start...])
            if chunk.isEmpty { break }
        }
        if !pending.isEmpty {
            lineNumber += 1
            if let d = try document(fromLine: pending[...], path: path, lineNumber: lineNumber, seen: &seen) { try body(d) }
        }
    }

    static func read(_ path: String) throws(Error) -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
    }

    static func loadDirectory(_ path: String) throws(Error) -> [Document] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        var docs: [Document] = []
        for name in names.sorted() where name.hasSuffix(".txt") {
            let data = try read(path + "/" + name)
            docs.append(Document(id: String(name.dropLast(4)), text: String(decoding: data, as: UTF8.self)))
        }
        return docs
    }

    private static func document(fromLine line: Data, path: String, lineNumber: Int,
                                 seen: inout Set<String>) throws(Error) -> Document? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: line) } catch {
            throw .malformedLine(path: path, line: lineNumber, reason: "not JSON")
        }
        guard let dict = object as? [String: Any] else {
            throw .malformedLine(path: path, line: lineNumber, reason: "not a JSON object")
        }
        let id = (dict["id"] as? String) ?? String(lineNumber)
        guard seen.insert(id).inserted else {
            throw .malformedLine(path: path, line: lineNumber, reason: "duplicate id \"\(id)\"")
        }
        var fields = ["text": (dict["text"] as? String) ?? ""]
        if let title = dict["title"] as? String { fields["title"] = title }
        return Document(id: id, fields: fields)
    }
}

extension Schema {
    /// The schema of corpus files: `text` searchable and stored, `title` stored only (the query
    /// set's expected results describe `text`).
    public static let corpus = Schema([Field("text"), Field("title", indexed: false)])
}
