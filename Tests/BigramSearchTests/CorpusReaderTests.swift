#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import BigramSearch

// Tests of CorpusReader: JSON Lines values of the wrong type are errors naming the line and key,
// integer ids keep their decimal text, --auto-ids / --skip-bad-lines / --recursive, invalid UTF-8
// repaired and reported the same way in every layout, ignored keys reported, I/O errors thrown.

@Suite(.checksSegmentInvariants) struct CorpusReaderTests {
    /// Writes `lines` (joined with "\n", plus a final newline) to a fresh `.jsonl` file.
    private func jsonl(_ lines: [String], in dir: String, name: String = "corpus.jsonl") throws -> String {
        let path = dir + "/" + name
        try writeText(lines.joined(separator: "\n") + "\n", to: path)
        return path
    }

    private func expectError(_ lines: [String], _ reason: String, line: Int, options: CorpusReader.Options = .init(),
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = try makeTemporaryDirectory("error")
        defer { removeDirectory(dir) }
        let path = try jsonl(lines, in: dir)
        #expect(throws: CorpusReader.Error.malformedLine(path: path, line: line, reason: reason), sourceLocation: sourceLocation) {
            try CorpusReader.load(path, options: options)
        }
    }

    @Test func valuesOfTheWrongTypeAreErrors() throws {
        try expectError(["{\"id\":\"a\",\"text\":\"x\"}", "{\"id\":\"b\",\"text\":\"y\"}", "{\"id\":\"c\",\"text\":2222333}"],
                        "\"text\" is a number, not a string", line: 3)
        try expectError(["{\"id\":\"a\",\"text\":[\"x\"]}"], "\"text\" is an array, not a string", line: 1)
        try expectError(["{\"id\":\"a\",\"text\":{\"x\":\"y\"}}"], "\"text\" is an object, not a string", line: 1)
        try expectError(["{\"id\":\"a\",\"text\":true}"], "\"text\" is a boolean, not a string", line: 1)
        try expectError(["{\"id\":\"a\",\"title\":1,\"text\":\"x\"}"], "\"title\" is a number, not a string", line: 1)
        try expectError(["{\"id\":[1],\"text\":\"x\"}"], "\"id\" is an array, not a string or an integer", line: 1)
        try expectError(["[\"a\"]"], "not a JSON object (an array)", line: 1)
        try expectError(["\"a\""], "not JSON", line: 1)
        try expectError(["{\"id\":\"a\""], "not JSON", line: 1)
        // The message names the path, line and key.
        #expect(CorpusReader.Error.malformedLine(path: "corpus.jsonl", line: 3, reason: "\"text\" is a number, not a string").description
                == "corpus.jsonl:3: \"text\" is a number, not a string")
    }

    @Test func integerIDsKeepTheirDecimalText() throws {
        let dir = try makeTemporaryDirectory("ids")
        defer { removeDirectory(dir) }
        let ids = ["777", "-5", "0", "9007199254740993", "9223372036854775807", "12345678901234567890"]
        let path = try jsonl(ids.map { "{\"id\":\($0),\"text\":\"x\"}" }, in: dir)
        #expect(try CorpusReader.load(path).map(\.id) == ids)
        // Booleans are not 1 and 0; fractions and numbers beyond 64 bits are refused.
        try expectError(["{\"id\":true,\"text\":\"x\"}"], "\"id\" is a boolean, not a string or an integer", line: 1)
        try expectError(["{\"id\":false,\"text\":\"x\"}"], "\"id\" is a boolean, not a string or an integer", line: 1)
        try expectError(["{\"id\":1.5,\"text\":\"x\"}"], "\"id\" is the number 1.5, not an integer (write it as a string)", line: 1)
        for fraction in ["1.0", "1e3", "1e30", "123456789012345678901234567890"] {
            let d = try makeTemporaryDirectory("fraction")
            defer { removeDirectory(d) }
            let p = try jsonl(["{\"id\":\(fraction),\"text\":\"x\"}"], in: d)
            do {
                let docs = try CorpusReader.load(p)
                Issue.record("\(fraction) was read as id \(docs.map(\.id))")
            } catch {
                guard case .malformedLine(_, 1, let reason) = error else { Issue.record("\(error)"); continue }
                #expect(reason.hasPrefix("\"id\" is the number"), "\(fraction): \(reason)")
            }
        }
    }

    @Test func missingEmptyAndDuplicateIDs() throws {
        try expectError(["{\"id\":\"a\",\"text\":\"x\"}", "{\"text\":\"y\"}"], "no \"id\" (use --auto-ids to number lines)", line: 2)
        try expectError(["{\"id\":null,\"text\":\"y\"}"], "no \"id\" (use --auto-ids to number lines)", line: 1)
        try expectError(["{\"id\":\"\",\"text\":\"y\"}"], "empty \"id\" (use --auto-ids to number lines)", line: 1)
        try expectError(["{\"id\":\"a\",\"text\":\"x\"}", "{\"id\":\"a\",\"text\":\"y\"}"], "duplicate id \"a\"", line: 2)
        try expectError(["{\"id\":\"7\",\"text\":\"x\"}", "{\"id\":7,\"text\":\"y\"}"], "duplicate id \"7\"", line: 2)

        let dir = try makeTemporaryDirectory("auto")
        defer { removeDirectory(dir) }
        // Line numbers count blank lines; explicit ids stay.
        let path = try jsonl(["{\"text\":\"x\"}", "", "{\"id\":\"k\",\"text\":\"y\"}", "{\"id\":\"\",\"text\":\"z\"}"], in: dir)
        #expect(try CorpusReader.load(path, options: .init(autoIDs: true)).map(\.id) == ["1", "k", "4"])
    }

    // MARK: Typed values

    private let typed = CorpusReader.Options(schema: Schema([.init("text"), .init("date", kind: .date), .init("source", kind: .keyword),
                                                            .init("n", kind: .int), .init("x", kind: .double)]))

    @Test func typedValuesAreReadPerKind() throws {
        #expect(typed.textKeys == ["text"])
        #expect(typed.typedKeys == ["date": .date, "source": .keyword, "n": .int, "x": .double])
        let dir = try makeTemporaryDirectory("typed")
        defer { removeDirectory(dir) }
        let path = try jsonl([
            #"{"id":"a","text":"常熟","date":"2024-06-01","source":"新华社","n":42,"x":2.5,"other":1}"#,
            #"{"id":"b","date":"2024-06-01T12:30:00+08:00","source":["a","b"],"n":"-7","x":3}"#,
            #"{"id":"c","date":1717200000123,"source":["only"],"n":3.0,"x":"1e3"}"#,
            #"{"id":"d","date":null,"source":[],"n":null}"#,
            #"{"id":"e","date":"2024","source":"","x":-0.5}"#,
        ], in: dir)
        var report = CorpusReader.Report(path: path)
        let docs = try CorpusReader.load(path, options: typed, report: &report)
        #expect(docs.map(\.values) == [
            ["date": .date(milliseconds: 1_717_200_000_000), "source": .keyword("新华社"), "n": .int(42), "x": .double(2.5)],
            ["date": .date(milliseconds: 1_717_216_200_000), "source": .keywords(["a", "b"]), "n": .int(-7), "x": .double(3)],
            ["date": .date(milliseconds: 1_717_200_000_123), "source": .keyword("only"), "n": .int(3), "x": .double(1000)],
            [:],
            ["date": .date(milliseconds: 1_704_067_200_000), "source": .keyword(""), "x": .double(-0.5)],
        ])
        #expect(docs[0].fields == ["text": "常熟"])
        // Typed keys are read, not ignored; other keys are.
        #expect(report.ignoredKeys == ["other": 1])
        // Without typed keys (the default options) they are ignored keys.
        var plain = CorpusReader.Report(path: path)
        #expect(try CorpusReader.load(path, report: &plain).allSatisfy { $0.values.isEmpty })
        #expect(plain.ignoredKeys["date"] == 5 && plain.ignoredKeys["n"] == 4)
    }

    @Test func typedValuesThatDoNotParseAreErrors() throws {
        for (value, reason) in [
            (#""date":"yesterday""#, #""date" is "yesterday", not an ISO 8601 date (a date field)"#),
            (#""date":"2024-02-30""#, #""date" is "2024-02-30", not an ISO 8601 date (a date field)"#),
            (#""date":1.5"#, #""date" is the number 1.5, not an ISO 8601 date string or an integer of milliseconds since 1970 (a date field)"#),
            (#""date":true"#, #""date" is true, not an ISO 8601 date string or an integer of milliseconds since 1970 (a date field)"#),
            (#""n":1.5"#, #""n" is the number 1.5, not an integer (an int field)"#),
            (#""n":"12a""#, #""n" is "12a", not an integer (an int field)"#),
            ("\"n\":\"\"", #""n" is "", not an integer (an int field)"#),
            (#""n":[1]"#, #""n" is an array, not an integer (an int field)"#),
            (#""n":false"#, #""n" is false, not an integer (an int field)"#),
            (#""n":18446744073709551615"#, #""n" is the number 18446744073709551615, not an integer of 64 bits (an int field)"#),
            (#""x":"inf""#, #""x" is "inf", not a number (a double field)"#),
            (#""x":"0x10""#, #""x" is "0x10", not a number (a double field)"#),
            (#""x":{}"#, #""x" is an object, not a number (a double field)"#),
            (#""source":5"#, #""source" is the number 5, not a string or an array of strings (a keyword field)"#),
            (#""source":["a",null]"#, #""source" holds null, not only strings (a keyword field)"#),
            (#""source":{"a":1}"#, #""source" is an object, not a string or an array of strings (a keyword field)"#),
        ] {
            try expectError([#"{"id":"ok","text":"x"}"#, #"{"id":"bad","# + value + "}"], reason, line: 2, options: typed)
        }
        // A long string is cut in the message.
        let long = String(repeating: "日", count: 60)
        try expectError([#"{"id":"a","date":""# + long + #""}"#], #""date" is ""# + String(repeating: "日", count: 40) + #"…", not an ISO 8601 date (a date field)"#,
                        line: 1, options: typed)
    }

    @Test func badTypedValuesAreBadLinesToSkip() throws {
        let dir = try makeTemporaryDirectory("typed-skip")
        defer { removeDirectory(dir) }
        let path = try jsonl([#"{"id":"a","n":1}"#, #"{"id":"b","n":"x"}"#, #"{"id":"c","date":"2024-06-01"}"#], in: dir)
        var options = typed
        options.skipBadLines = true
        var report = CorpusReader.Report(path: path)
        let docs = try CorpusReader.load(path, options: options, report: &report)
        #expect(docs.map(\.id) == ["a", "c"])
        #expect(report.skippedLines == [.init(line: 2, reason: #""n" is "x", not an integer (an int field)"#)])
    }

    @Test func nullIsAbsentAndOtherKeysAreReported() throws {
        let dir = try makeTemporaryDirectory("null")
        defer { removeDirectory(dir) }
        let path = try jsonl([
            "{\"id\":\"a\",\"title\":null,\"text\":\"x\",\"author\":\"p\"}",
            "{\"id\":\"b\",\"text\":null,\"author\":\"q\",\"tags\":[]}",
            "{\"id\":\"c\",\"title\":\"T\",\"text\":\"z\"}",
        ], in: dir)
        var report = CorpusReader.Report(path: path)
        let docs = try CorpusReader.load(path, report: &report)
        #expect(docs.map(\.fields) == [["text": "x"], [:], ["title": "T", "text": "z"]])
        #expect(report.ignoredKeys == ["author": 2, "tags": 1])
        #expect(report.documents == 3)
        #expect(report.warnings == ["\(path): ignored keys: author (2 lines), tags (1 line)"])
    }

    @Test func invalidUTF8IsRepairedAndReported() throws {
        let dir = try makeTemporaryDirectory("utf8")
        defer { removeDirectory(dir) }
        let path = dir + "/corpus.jsonl"
        try writeFileBytes(Array("{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"text\":\"常熟".utf8) + [0xFF] + Array("市\"}\n".utf8), to: path)
        var report = CorpusReader.Report(path: path)
        let docs = try CorpusReader.load(path, report: &report)
        #expect(docs.map(\.id) == ["a", "b"])
        #expect(docs[1]["text"] == "常熟\u{FFFD}市")
        #expect(report.repairedLines == [2])
        #expect(report.warnings.first?.contains("repaired invalid UTF-8 (as U+FFFD) on 1 line: 2") == true)

        // The same for .txt files.
        let texts = dir + "/texts"
        try FileManager.default.createDirectory(atPath: texts, withIntermediateDirectories: false)
        try writeFileBytes(Array("常熟".utf8) + [0xC3], to: texts + "/bad.txt")
        try writeText("好", to: texts + "/good.txt")
        var textReport = CorpusReader.Report(path: texts)
        let textDocs = try CorpusReader.load(texts, report: &textReport)
        #expect(textDocs.map(\.id) == ["bad", "good"])
        #expect(textDocs[0]["text"] == "常熟\u{FFFD}")
        #expect(textReport.repairedFiles == ["bad"])
    }

    @Test func lineEndingsBlankLinesAndByteOrderMark() throws {
        let dir = try makeTemporaryDirectory("lines")
        defer { removeDirectory(dir) }
        let path = dir + "/corpus.jsonl"
        try writeFileBytes([0xEF, 0xBB, 0xBF] + Array("{\"id\":\"a\",\"text\":\"x\"}\r\n\r\n   \n{\"id\":\"b\",\"text\":\"y\"}".utf8), to: path)
        #expect(try CorpusReader.load(path).map(\.id) == ["a", "b"])
    }

    @Test func linesAcrossReadChunks() throws {
        // Lines straddling the 4 MiB read chunks are reassembled.
        let dir = try makeTemporaryDirectory("chunks")
        defer { removeDirectory(dir) }
        let text = String(repeating: "常熟市参观考察", count: 50)
        let lines = (0..<5000).map { "{\"id\":\"d\($0)\",\"text\":\"\(text)\"}" }
        let path = try jsonl(lines, in: dir)
        var count = 0
        let report = try CorpusReader.forEach(path) { doc in
            #expect(doc.id == "d\(count)" && doc["text"] == text)
            count += 1
        }
        #expect(count == 5000 && report.documents == 5000)
    }

    @Test func skipBadLinesKeepsTheGoodOnes() throws {
        let dir = try makeTemporaryDirectory("skip")
        defer { removeDirectory(dir) }
        let path = try jsonl(["{\"id\":\"a\",\"text\":\"x\"}", "not json", "{\"id\":\"b\",\"text\":5}", "{\"text\":\"no id\"}",
                              "{\"id\":\"a\",\"text\":\"again\"}", "{\"id\":\"c\",\"text\":\"z\",\"extra\":1}"], in: dir)
        var report = CorpusReader.Report(path: path)
        let docs = try CorpusReader.load(path, options: .init(skipBadLines: true), report: &report)
        #expect(docs.map(\.id) == ["a", "c"])
        #expect(report.skippedLines.map(\.line) == [2, 3, 4, 5])
        #expect(report.skippedLines.map(\.reason) == ["not JSON", "\"text\" is a number, not a string",
                                                      "no \"id\" (use --auto-ids to number lines)", "duplicate id \"a\""])
        #expect(report.ignoredKeys == ["extra": 1])   // counted for kept lines only
        #expect(report.warnings.contains("\(path): skipped 4 bad lines: 2, 3, 4, 5"))
    }

    @Test func textFilesAndDirectories() throws {
        let dir = try makeTemporaryDirectory("txt")
        defer { removeDirectory(dir) }
        // A single .txt file: one document named after the file.
        try writeText("常熟", to: dir + "/page one.txt")
        #expect(try CorpusReader.load(dir + "/page one.txt") == [Document(id: "page one", text: "常熟")])

        let root = dir + "/corpus"
        for sub in ["a/b", ".hidden", "empty"] {
            try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true)
        }
        try writeText("1", to: root + "/top.txt")
        try writeText("2", to: root + "/a/mid.txt")
        try writeText("3", to: root + "/a/b/deep.txt")
        try writeText("4", to: root + "/.hidden/secret.txt")
        try writeText("not a corpus file", to: root + "/notes.md")

        var flat = CorpusReader.Report(path: root)
        #expect(try CorpusReader.load(root, report: &flat).map(\.id) == ["top"])
        #expect(flat.ignoredDirectories == [".hidden", "a", "empty"])
        var deep = CorpusReader.Report(path: root)
        let docs = try CorpusReader.load(root, options: .init(recursive: true), report: &deep)
        #expect(docs.map(\.id) == ["a/b/deep", "a/mid", "top"])
        #expect(docs.map { $0["text"] } == ["3", "2", "1"])
        #expect(deep.ignoredDirectories.isEmpty)

        // A directory without .txt files is an error, with a hint when it has subdirectories.
        let nest = dir + "/nest"
        try FileManager.default.createDirectory(atPath: nest + "/inner", withIntermediateDirectories: true)
        try writeText("5", to: nest + "/inner/x.txt")
        #expect(throws: CorpusReader.Error.noTextFiles(path: nest, subdirectories: 1)) {
            try CorpusReader.load(nest)
        }
        #expect(try CorpusReader.load(nest, options: .init(recursive: true)).map(\.id) == ["inner/x"])
        #expect(CorpusReader.Error.noTextFiles(path: "x", subdirectories: 1).description == "x holds no .txt files (it has 1 subdirectory: use --recursive)")
        #expect(throws: CorpusReader.Error.noTextFiles(path: root + "/empty", subdirectories: 0)) {
            try CorpusReader.load(root + "/empty")
        }
    }

    @Test func missingFilesAndIOErrorsAreThrown() throws {
        #expect(throws: CorpusReader.Error.unreadable(path: "/nonexistent/c.jsonl", reason: "No such file or directory")) {
            try CorpusReader.load("/nonexistent/c.jsonl")
        }
        let dir = try makeTemporaryDirectory("eio")
        defer { removeDirectory(dir) }
        let path = try jsonl(["{\"id\":\"a\",\"text\":\"x\"}"], in: dir)
        try writeText("x", to: dir + "/one.txt")
        withSystemCalls(FailingReads()) {
            #expect(throws: CorpusReader.Error.unreadable(path: path, reason: "read: Input/output error")) {
                try CorpusReader.load(path)
            }
            #expect(throws: CorpusReader.Error.unreadable(path: dir + "/one.txt", reason: "read: Input/output error")) {
                try CorpusReader.load(dir + "/one.txt")
            }
        }
    }
}

/// The real system calls, except that every read fails with EIO.
private struct FailingReads: SystemCalls {
    let real = POSIXSystemCalls()
    func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { real.open(path, flags, mode) }
    func close(_ fd: Int32) -> Int32 { real.close(fd) }
    func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        errno = EIO
        return -1
    }
    func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { real.write(fd, buffer, count) }
    func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ offset: Int) -> Int { real.pwrite(fd, buffer, count, offset) }
    func fsync(_ fd: Int32) -> Int32 { real.fsync(fd) }
    func rename(_ from: String, _ to: String) -> Int32 { real.rename(from, to) }
    func unlink(_ path: String) -> Int32 { real.unlink(path) }
    func mkdir(_ path: String, _ mode: mode_t) -> Int32 { real.mkdir(path, mode) }
    func flock(_ fd: Int32, _ operation: Int32) -> Int32 { real.flock(fd, operation) }
}
