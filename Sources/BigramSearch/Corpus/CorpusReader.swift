#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads documents from the corpus layouts the tools accept, with fields `text` and (JSON Lines
/// only) `title`, or the JSON keys of ``Options/textKeys`` (see ``Schema/corpus`` and
/// ``Schema/corpusTitleAndText``), and typed values from the keys of ``Options/typedKeys``:
///
/// - **A JSON Lines file**, one object per line: `{"id": "a1", "title": "…", "text": "…"}`.
///   - `text` and `title` (the keys of ``Options/textKeys``) must be strings; `null` means absent. A number, boolean, array or
///     object there is an error naming the line and key (`corpus.jsonl:3: "text" is a number,
///     not a string`), never silently indexed as nothing.
///   - The keys of ``Options/typedKeys`` give ``Document/values`` (a missing key or `null`: no
///     value):
///     - keyword: a string, or an array of strings (several values; `[]` is no value);
///     - int: a JSON integer, a number without a fractional part (`3.0`), or a string of a
///       decimal integer (`"42"`);
///     - double: a JSON number, or a string of a decimal number (`"2.5"`); never infinite;
///     - date: an ISO 8601 string (``DateText``: `2024-06-01`, `2024-06-01T12:30:00+08:00`; a
///       date without a time is its first millisecond), or a JSON integer of milliseconds
///       since 1970-01-01T00:00:00Z (as JavaScript's `Date.now()`).
///
///     Anything else is an error naming the line, the key and the value (`corpus.jsonl:3:
///     "date" is "yesterday", not an ISO 8601 date (a date field)`): with
///     ``Options/skipBadLines``, a bad line like any other.
///   - `id` must be a non-empty string or an integer; an integer keeps its decimal text (`777`
///     is the id `"777"`). A boolean, a fraction, a number too large for 64 bits, or a missing
///     or empty id is an error, unless ``Options/autoIDs`` is set: then a line without an id gets
///     its line number. Two lines with the same id are an error.
///   - Keys other than `id` and the text keys are ignored and counted in
///     ``Report/ignoredKeys``.
///   - Blank lines are skipped; a UTF-8 byte-order mark on the first line is dropped.
/// - **A single `.txt` file**: one document, whose id is the file name without `.txt`.
/// - **A directory of `.txt` files**: one document per file, id = file name without `.txt`, in
///   name order. With ``Options/recursive``, subdirectories are walked too (id = path relative
///   to the directory, without `.txt`; hidden directories and symbolic links to directories are
///   not followed); without it, subdirectories are counted in ``Report/ignoredDirectories``.
///   A directory without any `.txt` file is an error (``Error/noTextFiles(path:subdirectories:)``).
///
/// Invalid UTF-8 is repaired the same way in every layout: each bad byte sequence becomes U+FFFD,
/// and the repaired lines (or files) are listed in the ``Report``.
///
/// Files are read with `read(2)` through the storage layer's system calls, so an I/O error (a
/// failing disk, `EIO`) is an ``Error/unreadable(path:reason:)``, not a crash.
public enum CorpusReader {
    /// Errors reading a corpus.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The file or directory could not be read (missing, permissions, an I/O error).
        case unreadable(path: String, reason: String)
        /// A line of a JSON Lines file is not a valid document (``description`` is
        /// `path:line: reason`).
        case malformedLine(path: String, line: Int, reason: String)
        /// A directory corpus holds no `.txt` file (`subdirectories`: how many it has, a hint
        /// for ``Options/recursive``).
        case noTextFiles(path: String, subdirectories: Int)

        /// A message that names the file (and line) and says what is wrong.
        public var description: String {
            switch self {
            case .unreadable(let p, let r): return "cannot read \(p): \(r)"
            case .malformedLine(let p, let l, let r): return "\(p):\(l): \(r)"
            case .noTextFiles(let p, let n):
                return "\(p) holds no .txt files" + (n > 0 ? " (it has \(n) subdirector\(n == 1 ? "y" : "ies"): use --recursive)" : "")
            }
        }
    }

    /// How to read a corpus.
    public struct Options: Sendable, Hashable {
        /// JSON Lines: a line without an `id` (or with an empty one) gets its line number as id,
        /// instead of being an error.
        public var autoIDs: Bool
        /// JSON Lines: a malformed line (not JSON, wrong value types, missing or duplicate id) is
        /// skipped and listed in ``Report/skippedLines`` instead of ending the read.
        public var skipBadLines: Bool
        /// Directory corpora: walk subdirectories too.
        public var recursive: Bool
        /// JSON Lines: the keys read as text fields (strings, or `null` for absent); other keys
        /// but `id` are ignored and reported. `.txt` files always give the field `text`.
        public var textKeys: Set<String>
        /// JSON Lines: the keys read as typed values (``Document/values``), each with its field's
        /// kind (keyword, int, double or date; see ``CorpusReader`` for the JSON each accepts).
        /// A key both here and in ``textKeys`` is read as text.
        public var typedKeys: [String: FieldKind]

        /// Options for reading a corpus; all off by default, text keys `text` and `title`, no
        /// typed keys.
        public init(autoIDs: Bool = false, skipBadLines: Bool = false, recursive: Bool = false,
                    textKeys: Set<String> = ["text", "title"], typedKeys: [String: FieldKind] = [:]) {
            self.autoIDs = autoIDs
            self.skipBadLines = skipBadLines
            self.recursive = recursive
            self.textKeys = textKeys
            self.typedKeys = typedKeys
        }

        /// Options for reading the fields of `schema`: its text fields as ``textKeys``, its typed
        /// fields as ``typedKeys``.
        public init(schema: Schema, autoIDs: Bool = false, skipBadLines: Bool = false, recursive: Bool = false) {
            self.init(autoIDs: autoIDs, skipBadLines: skipBadLines, recursive: recursive)
            read(schema)
        }

        /// Reads the fields of `schema` (replacing ``textKeys`` and ``typedKeys``).
        public mutating func read(_ schema: Schema) {
            textKeys = Set(schema.fields.filter { !$0.kind.isTyped }.map(\.name))
            typedKeys = [:]
            for f in schema.fields where f.kind.isTyped { typedKeys[f.name] = f.kind }
        }
    }

    /// A line skipped under ``Options/skipBadLines``.
    public struct SkippedLine: Sendable, Hashable, CustomStringConvertible {
        /// The line number, from 1.
        public var line: Int
        /// What is wrong with the line.
        public var reason: String
        /// `line: reason`.
        public var description: String { "\(line): \(reason)" }
    }

    /// What a read found besides the documents: everything a user should be told about.
    public struct Report: Sendable, Hashable {
        /// The corpus read.
        public var path: String
        /// Documents delivered.
        public var documents = 0
        /// JSON Lines: numbers of the lines whose invalid UTF-8 was repaired (to U+FFFD).
        public var repairedLines: [Int] = []
        /// `.txt` corpora: ids of the documents whose invalid UTF-8 was repaired.
        public var repairedFiles: [String] = []
        /// JSON Lines: keys other than `id`, ``Options/textKeys`` and ``Options/typedKeys``, with
        /// the number of lines having each.
        public var ignoredKeys: [String: Int] = [:]
        /// JSON Lines with ``Options/skipBadLines``: the lines skipped, in order.
        public var skippedLines: [SkippedLine] = []
        /// Directory corpora without ``Options/recursive``: the subdirectories not read.
        public var ignoredDirectories: [String] = []

        /// An empty report about the corpus at `path`.
        public init(path: String) { self.path = path }

        /// The report as lines for a person (empty when there is nothing to say), e.g.
        /// `corpus.jsonl: ignored keys: author (12 lines), tags (3 lines)`.
        public var warnings: [String] {
            var out: [String] = []
            if !repairedLines.isEmpty {
                out.append("\(path): repaired invalid UTF-8 (as U+FFFD) on \(Self.count(repairedLines.count, "line")): \(Self.list(repairedLines.map(String.init)))")
            }
            if !repairedFiles.isEmpty {
                out.append("\(path): repaired invalid UTF-8 (as U+FFFD) in \(Self.count(repairedFiles.count, "file")): \(Self.list(repairedFiles))")
            }
            if !ignoredKeys.isEmpty {
                let keys = ignoredKeys.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                out.append("\(path): ignored keys: " + keys.map { "\($0.key) (\(Self.count($0.value, "line")))" }.joined(separator: ", "))
            }
            if !skippedLines.isEmpty {
                out.append("\(path): skipped \(Self.count(skippedLines.count, "bad line")): \(Self.list(skippedLines.map { String($0.line) }))")
                for s in skippedLines.prefix(10) { out.append("  \(path):\(s.line): \(s.reason)") }
                if skippedLines.count > 10 { out.append("  … and \(skippedLines.count - 10) more") }
            }
            if !ignoredDirectories.isEmpty {
                out.append("\(path): not read: \(Self.count(ignoredDirectories.count, "subdirectory", "subdirectories")) (use --recursive): \(Self.list(ignoredDirectories))")
            }
            return out
        }

        private static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
            "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
        }

        private static func list(_ items: [String], limit: Int = 20) -> String {
            items.prefix(limit).joined(separator: ", ") + (items.count > limit ? ", … (\(items.count - limit) more)" : "")
        }
    }

    /// The keys of a JSON Lines object that are read by default (``Options/textKeys`` and `id`);
    /// any other key is reported as ignored.
    public static let jsonKeys: Set<String> = ["id", "title", "text"]

    /// Loads every document of `path` (a `.jsonl` file, a `.txt` file or a directory of `.txt`
    /// files); see ``CorpusReader`` for the rules.
    public static func load(_ path: String, options: Options = Options()) throws(Error) -> [Document] {
        var report = Report(path: path)
        return try load(path, options: options, report: &report)
    }

    /// Loads every document of `path`, and what was repaired, ignored or skipped into `report`.
    public static func load(_ path: String, options: Options = Options(), report: inout Report) throws(Error) -> [Document] {
        var docs: [Document] = []
        do { report = try forEach(path, options: options) { docs.append($0) } } catch let e as Error { throw e } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        return docs
    }

    /// Calls `body` with each document of `path` in order, reading a JSON Lines file a chunk at a
    /// time (so a corpus larger than memory can be indexed), and returns what was repaired,
    /// ignored or skipped.
    ///
    /// - Throws: ``Error`` for an unreadable file or a malformed line (see ``Options``), or what
    ///   `body` throws.
    @discardableResult
    public static func forEach(_ path: String, options: Options = Options(), _ body: (Document) throws -> Void) throws -> Report {
        var report = Report(path: path)
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw Error.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            try forEachTextFile(in: path, options: options, report: &report, body)
        } else if path.hasSuffix(".txt") {
            let bytes = try readFile(path)
            let (text, repaired) = decode(bytes[...])
            let id = String((path.split(separator: "/").last ?? Substring(path)).dropLast(4))
            if repaired { report.repairedFiles.append(id) }
            report.documents += 1
            try body(Document(id: id, text: text))
        } else {
            try forEachLine(of: path, options: options, report: &report, body)
        }
        return report
    }

    // MARK: - JSON Lines

    private static func forEachLine(of path: String, options: Options, report: inout Report,
                                    _ body: (Document) throws -> Void) throws {
        let fd = SystemCallsContext.current.open(path, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw Error.unreadable(path: path, reason: "open: " + String(cString: strerror(errno))) }
        defer { _ = SystemCallsContext.current.close(fd) }
        var lines = LineState(path: path, options: options)
        var pending: [UInt8] = []
        let chunkSize = 4 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = SystemCallsContext.current.read(fd, into: &chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw Error.unreadable(path: path, reason: "read: " + String(cString: strerror(errno)))
            }
            if n == 0 { break }
            // Lines are found by one scan of the contiguous bytes (a carried-over partial line is
            // not scanned again), and parsed in place.
            var k = pending.count
            pending.append(contentsOf: chunk[0..<n])
            var start = 0
            let count = pending.count
            while k < count {
                if pending[k] == UInt8(ascii: "\n") {
                    if let d = try lines.document(fromLine: pending[start..<k], report: &report) { try body(d) }
                    start = k + 1
                }
                k += 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty, let d = try lines.document(fromLine: pending[...], report: &report) { try body(d) }
    }

    /// The state of reading a JSON Lines file: line number, ids seen.
    private struct LineState {
        let path: String
        let options: Options
        var lineNumber = 0
        var seen = Set<String>()
        /// ``Options/textKeys`` in a fixed order (the first bad one is the one reported).
        let textKeys: [String]
        /// ``Options/typedKeys`` (but those read as text), in a fixed order.
        let typedKeys: [(key: String, kind: FieldKind)]

        init(path: String, options: Options) {
            self.path = path
            self.options = options
            textKeys = options.textKeys.sorted()
            typedKeys = options.typedKeys.filter { !options.textKeys.contains($0.key) && $0.value.isTyped }
                .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }

        mutating func document(fromLine raw: ArraySlice<UInt8>, report: inout Report) throws(Error) -> Document? {
            lineNumber += 1
            var line = raw
            if lineNumber == 1 && line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
            do {
                let doc = try parse(line, report: &report)
                report.documents += 1
                return doc
            } catch {
                guard options.skipBadLines, case .malformedLine(_, let l, let reason) = error else { throw error }
                report.skippedLines.append(SkippedLine(line: l, reason: reason))
                return nil
            }
        }

        private mutating func parse(_ line: ArraySlice<UInt8>, report: inout Report) throws(Error) -> Document {
            func bad(_ reason: String) -> Error { .malformedLine(path: path, line: lineNumber, reason: reason) }
            // Invalid UTF-8 is repaired before parsing.
            let repaired = String(validating: line, as: UTF8.self) == nil
            let parsed = repaired ? JSONParser.parse(Array(String(decoding: line, as: UTF8.self).utf8)[...]) : JSONParser.parse(line)
            guard let object = parsed else { throw bad("not JSON") }
            // A JSON text is an object or an array (a bare string or number is not one).
            guard case .object(let dict) = object else {
                if case .array = object { throw bad("not a JSON object (an array)") }
                throw bad("not JSON")
            }

            var fields: [String: String] = [:]
            for key in textKeys {
                guard let value = dict[key] else { continue }
                switch value {
                case .string(let s): fields[key] = s
                case .null: break
                default: throw bad("\"\(key)\" is \(value.name), not a string")
                }
            }
            var values: [String: FieldValue] = [:]
            for (key, kind) in typedKeys {
                guard let raw = dict[key] else { continue }
                if let v = try typedValue(raw, key: key, kind: kind, bad: bad) { values[key] = v }
            }
            var id: String
            switch dict["id"] {
            case .string(let s)?: id = s
            case .null?, nil: id = ""
            case .integer(let digits)?: id = digits
            case .fraction(let n)?: throw bad("\"id\" is the number \(n), not an integer (write it as a string)")
            case let other?: throw bad("\"id\" is \(other.name), not a string or an integer")
            }
            if id.isEmpty {
                guard options.autoIDs else {
                    throw bad(dict["id"] == nil || dict["id"] == .null ? "no \"id\" (use --auto-ids to number lines)" : "empty \"id\" (use --auto-ids to number lines)")
                }
                id = String(lineNumber)
            }
            guard seen.insert(id).inserted else { throw bad("duplicate id \"\(id)\"") }
            // Counted only for lines that are kept.
            if repaired { report.repairedLines.append(lineNumber) }
            for key in dict.keys where key != "id" && !options.textKeys.contains(key) && options.typedKeys[key] == nil {
                report.ignoredKeys[key, default: 0] += 1
            }
            return Document(id: id, fields: fields, values: values)
        }

        /// The typed value of `key` (a field of `kind`) from its JSON value; nil for `null` or an
        /// empty array of keywords.
        private func typedValue(_ raw: JSONValue, key: String, kind: FieldKind, bad: (String) -> Error) throws(Error) -> FieldValue? {
            if case .null = raw { return nil }
            func wrong(_ expected: String) -> Error {
                bad("\"\(key)\" is \(raw.shown), not \(expected) (a\(kind == .int ? "n" : "") \(kind) field)")
            }
            switch kind {
            case .text:
                return nil
            case .keyword:
                switch raw {
                case .string(let s): return .keyword(s)
                case .array(let elements):
                    var list: [String] = []
                    for element in elements {
                        guard case .string(let s) = element else {
                            throw bad("\"\(key)\" holds \(element.shown), not only strings (a keyword field)")
                        }
                        list.append(s)
                    }
                    if list.isEmpty { return nil }
                    return list.count == 1 ? .keyword(list[0]) : .keywords(list)
                default: throw wrong("a string or an array of strings")
                }
            case .int:
                switch raw {
                case .integer(let digits):
                    guard let n = Int64(digits) else { throw wrong("an integer of 64 bits") }
                    return .int(n)
                case .fraction(let text):
                    // 3.0 or 1e3: a whole number is an integer.
                    let d = Double(text) ?? .nan
                    guard d.isFinite, d == d.rounded() else { throw wrong("an integer") }
                    guard abs(d) < 9.2e18 else { throw wrong("an integer of 64 bits") }
                    return .int(Int64(d))
                case .string(let s):
                    guard let v = FieldValue.parse(s, as: .int) else { throw wrong("an integer") }
                    return v
                default: throw wrong("an integer")
                }
            case .double:
                switch raw {
                case .integer(let digits):
                    guard let d = Double(digits) else { throw wrong("a number") }
                    return .double(d)
                case .fraction(let text):
                    guard let d = Double(text), d.isFinite else { throw wrong("a finite number") }
                    return .double(d)
                case .string(let s):
                    guard !s.isEmpty, s.utf8.allSatisfy(Self.isDecimalNumberByte), let d = Double(s), d.isFinite else {
                        throw wrong("a number")
                    }
                    return .double(d)
                default: throw wrong("a number")
                }
            case .date:
                switch raw {
                case .string(let s):
                    guard let interval = DateText.parse(s) else { throw wrong("an ISO 8601 date") }
                    return .date(milliseconds: interval.start)
                case .integer(let digits):
                    guard let ms = Int64(digits) else { throw wrong("a date (milliseconds since 1970 of 64 bits)") }
                    return .date(milliseconds: ms)
                default: throw wrong("an ISO 8601 date string or an integer of milliseconds since 1970")
                }
            }
        }

        /// Bytes of a decimal number's text (`-2.5e3`): digits, sign, point, exponent.
        private static func isDecimalNumberByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2D || b == 0x2E || b == 0x45 || b == 0x65
        }
    }

    // MARK: - .txt files

    private static func forEachTextFile(in root: String, options: Options, report: inout Report,
                                        _ body: (Document) throws -> Void) throws {
        var files: [String] = []   // paths relative to root, without ".txt"
        var subdirectories: [String] = []
        func walk(_ relative: String) throws(Error) {
            let directory = relative.isEmpty ? root : root + "/" + relative
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
                throw .unreadable(path: directory, reason: (error as NSError).localizedDescription)
            }
            for name in names {
                let rel = relative.isEmpty ? name : relative + "/" + name
                let full = root + "/" + rel
                var st = stat()
                guard stat(full, &st) == 0 else { continue }   // a dangling symbolic link
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    var lst = stat()
                    let isLink = lstat(full, &lst) == 0 && (lst.st_mode & S_IFMT) == S_IFLNK
                    if options.recursive && !name.hasPrefix(".") && !isLink { try walk(rel) } else { subdirectories.append(rel) }
                } else if name.hasSuffix(".txt") && (st.st_mode & S_IFMT) == S_IFREG {
                    files.append(String(rel.dropLast(4)))
                }
            }
        }
        try walk("")
        guard !files.isEmpty else { throw Error.noTextFiles(path: root, subdirectories: subdirectories.count) }
        if !options.recursive { report.ignoredDirectories = subdirectories }
        for id in files {
            let (text, repaired) = decode(try readFile(root + "/" + id + ".txt")[...])
            if repaired { report.repairedFiles.append(id) }
            report.documents += 1
            try body(Document(id: id, text: text))
        }
    }

    /// Reads a whole file with `read(2)`.
    static func readFile(_ path: String) throws(Error) -> [UInt8] {
        do { return try FileSystem.readFile(path) } catch {
            switch error {
            case .io(_, let reason): throw .unreadable(path: path, reason: reason)
            case .missingFile: throw .unreadable(path: path, reason: String(cString: strerror(ENOENT)))
            default: throw .unreadable(path: path, reason: error.description)
            }
        }
    }

    /// Decodes UTF-8, repairing invalid sequences to U+FFFD; `repaired` tells whether any was.
    static func decode(_ bytes: ArraySlice<UInt8>) -> (text: String, repaired: Bool) {
        if let valid = String(validating: bytes, as: UTF8.self) { return (valid, false) }
        return (String(decoding: bytes, as: UTF8.self), true)
    }
}

extension JSONValue {
    /// The value's kind in an error message ("a string", "a number", …).
    var name: String {
        switch self {
        case .string: return "a string"
        case .null: return "null"
        case .boolean: return "a boolean"
        case .integer, .fraction: return "a number"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value itself for a string (quoted, cut past 40 characters), a number (`the number
    /// 1.5`) or a boolean, the kind's name otherwise.
    var shown: String {
        switch self {
        case .string(let s):
            let cut = s.count > 40 ? String(s.prefix(40)) + "…" : s
            var quoted = "\""
            for c in cut.unicodeScalars {
                switch c {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case _ where c.value < 0x20: quoted += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16)
                default: quoted.unicodeScalars.append(c)
                }
            }
            return quoted + "\""
        case .integer(let digits): return "the number " + digits
        case .fraction(let text): return "the number " + text
        case .boolean(let b): return b ? "true" : "false"
        default: return name
        }
    }
}
