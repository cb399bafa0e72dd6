import Foundation
import Testing
import BigramSearch

// Tests of the `bigram-search` command-line tool, run as a separate process (the built
// executable, see CLITestSupport.swift): commands never create an index implicitly, a second
// writer is refused (or waits), I/O failures end with status 1 instead of a crash or a silent
// truncation, JSON Lines values of the wrong type are errors, exit statuses are 0/1/2, colour
// only on a terminal, and commands that change nothing say so.

@Suite struct CLITests {
    let seeds = Seeds.directory.path

    /// `index seeds --out <dir>/idx`; returns the index path.
    private func seedsIndex(in dir: String, name: String = "idx") throws -> String {
        let idx = dir + "/" + name
        let r = try runCLI(["index", seeds, "--out", idx])
        try #require(r.status == 0, "\(r)")
        return idx
    }

    // MARK: - 1. No implicit index creation

    @Test func commandsNeedAnExistingIndex() throws {
        let dir = try makeTemporaryDirectory("not-an-index")
        defer { removeDirectory(dir) }
        // A folder of .txt files (a copy of the seeds) and a path that does not exist.
        let texts = dir + "/texts"
        try FileManager.default.copyItem(atPath: seeds, toPath: texts)
        let missing = dir + "/nonexistent"
        let before = snapshotTree(dir)
        let commands: [[String]] = [
            ["add", "PATH", seeds], ["delete", "PATH", "000_ecb1b37cb59dfad8"], ["merge", "PATH"], ["verify", "PATH"],
        ]
        for target in [missing, texts, "/nonexistent"] {
            for command in commands {
                let r = try runCLI(command.map { $0 == "PATH" ? target : $0 })
                #expect(r.status == 1, "\(command): \(r)")
                #expect(r.stderr.contains("\(target) is not an index"), "\(command): \(r)")
                #expect(r.stderr.contains("create one with `bigram-search index`"), "\(command): \(r)")
                #expect(!r.stderr.contains("Usage:"), "\(command): \(r)")
                #expect(r.exited)
            }
        }
        // search and stats read a missing path as nothing, and a folder of .txt files as a corpus.
        for command in [["search", missing, "常熟"], ["stats", missing], ["search", "/nonexistent", "常熟"], ["stats", "/nonexistent"],
                        ["index", missing, "--out", dir + "/out"]] {
            let r = try runCLI(command)
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains(command[0] == "index" ? "cannot read \(missing)" : "is not an index"), "\(r)")
        }
        let onTheFly = try runCLI(["search", texts, "常熟 考察"])
        #expect(onTheFly.status == 0, "\(onTheFly)")
        #expect(onTheFly.stdout.contains("000_ecb1b37cb59dfad8"))
        #expect(try runCLI(["stats", texts]).stdout.contains("documents                           2"))
        // Nothing was written anywhere.
        #expect(snapshotTree(dir) == before)
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent"))

        // An empty directory (what an interrupted `index` used to leave) is not an empty corpus.
        let empty = dir + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        for command in [["search", empty, "常熟"], ["stats", empty], ["add", empty, seeds]] {
            let r = try runCLI(command)
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("\(empty) is not an index"), "\(r)")
        }
        #expect(listDirectory(empty).isEmpty)
    }

    @Test func indexCreatesAddsAndRefuses() throws {
        let dir = try makeTemporaryDirectory("index")
        defer { removeDirectory(dir) }
        let idx = try seedsIndex(in: dir)
        #expect(listDirectory(idx).contains("MANIFEST"))
        #expect(try runCLI(["verify", idx]).stdout == "ok: 2 documents, 1 segment\n")

        // Indexing into an existing index adds to it (same ids: replaced).
        let more = dir + "/more.jsonl"
        try writeText("{\"id\":\"n1\",\"text\":\"常熟新闻\"}\n", to: more)
        let again = try runCLI(["index", more, "--out", idx])
        #expect(again.status == 0, "\(again)")
        #expect(try runCLI(["stats", idx]).stdout.contains("documents                           3"))

        // A directory holding other files: refused, unless --force (the files stay).
        let other = dir + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: false)
        try writeText("keep me", to: other + "/notes")
        let refused = try runCLI(["index", seeds, "--out", other])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("not empty and not an index; use --force"), "\(refused)")
        #expect(listDirectory(other) == ["notes"])
        let forced = try runCLI(["index", seeds, "--out", other, "--force"])
        #expect(forced.status == 0, "\(forced)")
        #expect(listDirectory(other).contains("MANIFEST") && listDirectory(other).contains("notes"))

        // A damaged index (a segment file without a manifest): refused by every command, unchanged.
        let damaged = dir + "/damaged"
        try FileManager.default.createDirectory(atPath: damaged, withIntermediateDirectories: false)
        let segment = try #require(listDirectory(idx).first { $0.hasPrefix("seg-") })
        try FileManager.default.copyItem(atPath: idx + "/" + segment, toPath: damaged + "/" + segment)
        let before = snapshotTree(damaged)
        for command in [["index", seeds, "--out", damaged], ["index", seeds, "--out", damaged, "--force"],
                        ["search", damaged, "常熟"], ["stats", damaged], ["add", damaged, seeds], ["verify", damaged]] {
            let r = try runCLI(command)
            #expect(r.status == 1, "\(command): \(r)")
            #expect(r.stderr.contains("damaged index"), "\(command): \(r)")
        }
        #expect(snapshotTree(damaged) == before)

        // A file as the output directory.
        let file = dir + "/file"
        try writeText("x", to: file)
        let onFile = try runCLI(["index", seeds, "--out", file])
        #expect(onFile.status == 1 && onFile.stderr.contains("is a file"), "\(onFile)")
    }

    @Test func aFailedIndexRunLeavesNoIndex() throws {
        let dir = try makeTemporaryDirectory("failed-index")
        defer { removeDirectory(dir) }
        let bad = dir + "/bad.jsonl"
        try writeText("{\"id\":\"a\",\"text\":\"常熟\"}\n{\"id\":\"b\",\"text\":\"苏州\"}\n{\"id\":\"c\",\"text\":2222333}\n", to: bad)
        let out = dir + "/new"
        let r = try runCLI(["index", bad, "--out", out])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("bad.jsonl:3: \"text\" is a number, not a string"), "\(r)")
        #expect(!r.stderr.contains("Usage:"))
        #expect(!FileManager.default.fileExists(atPath: out), "\(listDirectory(out))")
        // Into an existing empty directory: left empty.
        let empty = dir + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        #expect(try runCLI(["index", bad, "--out", empty]).status == 1)
        #expect(listDirectory(empty).allSatisfy { $0 == "write.lock" })
        #expect(IndexStore.kind(of: empty) == .empty)
    }

    // MARK: - 2. A second writer

    @Test func aSecondWriterIsRefusedOrWaits() throws {
        let dir = try makeTemporaryDirectory("lock")
        defer { removeDirectory(dir) }
        let idx = try seedsIndex(in: dir)
        let more = dir + "/more.jsonl"
        try writeText("{\"id\":\"n1\",\"text\":\"常熟新闻\"}\n", to: more)

        // This process holds the write lock (flock is per open file: other processes are refused).
        let writer = try IndexWriter(directory: idx)
        for command in [["add", idx, more], ["delete", idx, "000_ecb1b37cb59dfad8"], ["merge", idx], ["index", more, "--out", idx],
                        ["add", idx, more, "--wait", "0.2"]] {
            let r = try runCLI(command)
            #expect(r.status == 1, "\(command): \(r)")
            #expect(r.stderr.contains("the index \(idx) is being written by another process"), "\(command): \(r)")
            #expect(!r.stderr.contains("Usage:"))
        }
        // Readers are not blocked.
        #expect(try runCLI(["search", idx, "常熟"]).status == 0)

        // --wait: the second writer goes on once the lock is released.
        let waiting = try startCLI(["add", idx, more, "--wait", "30"])
        Thread.sleep(forTimeInterval: 0.5)
        #expect(waiting.process.isRunning)
        writer.close()
        let r = waiting.wait()
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("added 1 document; the index has 3"), "\(r)")

        #expect(try runCLI(["delete", idx, "n1", "--wait", "forever"]).status == 0)

        // Not a number: a usage error.
        let usage = try runCLI(["add", idx, more, "--wait", "soon"])
        #expect(usage.status == 2, "\(usage)")
        #expect(usage.stderr.contains("Usage: bigram-search add"), "\(usage)")
    }

    // MARK: - 3. I/O failures

    @Test func fullStandardOutputIsAnError() throws {
        let dir = try makeTemporaryDirectory("dev-full")
        defer { removeDirectory(dir) }
        let idx = try seedsIndex(in: dir)
        for command in [["search", idx, "常熟"], ["search", seeds, "常熟", "--json"], ["stats", idx], ["verify", idx]] {
            let r = try runCLI(command, stdout: FileHandle(forWritingAtPath: "/dev/full")!)
            #expect(r.exited, "\(command): \(r)")
            #expect(r.status == 1, "\(command): \(r)")
            #expect(r.stderr.contains("cannot write to standard output: No space left on device"), "\(command): \(r)")
        }
        let analyze = try runCLI(["analyze"], stdin: "常熟市参观", stdout: FileHandle(forWritingAtPath: "/dev/full")!)
        #expect(analyze.exited && analyze.status == 1, "\(analyze)")
    }

    @Test func fullStandardErrorEndsWritersWithoutACrash() throws {
        let dir = try makeTemporaryDirectory("dev-full-err")
        defer { removeDirectory(dir) }
        // Enough text that the 1 MiB buffer is flushed to segment files before the progress line.
        let paragraphs = try Seeds.paragraphs()
        var corpus = ""
        for i in 0..<600 {
            let text = (0..<20).map { paragraphs[(i + $0) % paragraphs.count] }.joined(separator: "\n")
            corpus += "{\"id\":\"p\(i)\",\"text\":\(try jsonLiteral(text))}\n"
        }
        let big = dir + "/big.jsonl"
        try writeText(corpus, to: big)
        // (With a working stderr, these options write several segments while adding.)
        let control = try runCLI(["index", big, "--out", dir + "/control", "--threads", "1", "--memory", "1", "--merge-factor", "0"])
        #expect(try IndexStore.open(at: dir + "/control").statistics.segments > 1, "\(control)")

        let out = dir + "/new"
        let r = try runCLI(["index", big, "--out", out, "--threads", "1", "--memory", "1"],
                           stderr: FileHandle(forWritingAtPath: "/dev/full")!)
        #expect(r.exited, "crashed: \(r)")
        #expect(r.status == 1, "\(r)")
        #expect(!FileManager.default.fileExists(atPath: out), "left behind: \(listDirectory(out))")

        let idx = try seedsIndex(in: dir)
        let before = try IndexStore.open(at: idx).documentCount
        let add = try runCLI(["add", idx, big, "--memory", "1"], stderr: FileHandle(forWritingAtPath: "/dev/full")!)
        #expect(add.exited, "crashed: \(add)")
        #expect(add.status == 1, "\(add)")
        #expect(try IndexStore.open(at: idx).documentCount == before)
        #expect(try runCLI(["verify", idx]).status == 0)
    }

    @Test func aReadErrorIsAMessage() throws {
        // Reading /proc/self/mem at offset 0 fails with EIO: a real I/O error without a bad disk.
        guard FileManager.default.fileExists(atPath: "/proc/self/mem") else { return }
        let dir = try makeTemporaryDirectory("eio")
        defer { removeDirectory(dir) }
        let idx = try seedsIndex(in: dir)
        let r = try runCLI(["add", idx, "/proc/self/mem"])
        #expect(r.exited, "crashed: \(r)")
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("cannot read /proc/self/mem: read: Input/output error"), "\(r)")
        #expect(r.stderr.contains("the index is unchanged"), "\(r)")
    }

    // MARK: - 4. JSON Lines values

    @Test func jsonLinesValuesOfTheWrongTypeAreErrors() throws {
        let dir = try makeTemporaryDirectory("jsonl")
        defer { removeDirectory(dir) }
        func corpus(_ name: String, _ lines: [String]) throws -> String {
            let path = dir + "/" + name
            try writeText(lines.joined(separator: "\n") + "\n", to: path)
            return path
        }
        let cases: [(lines: [String], message: String)] = [
            (["{\"id\":\"a\",\"text\":\"常熟\"}", "{\"id\":\"b\",\"text\":\"x\"}", "{\"id\":\"c\",\"text\":2222333}"],
             "t0.jsonl:3: \"text\" is a number, not a string"),
            (["{\"id\":\"a\",\"text\":[\"常熟\"]}"], "t1.jsonl:1: \"text\" is an array, not a string"),
            (["{\"id\":\"a\",\"title\":{\"x\":1},\"text\":\"常熟\"}"], "t2.jsonl:1: \"title\" is an object, not a string"),
            (["{\"id\":true,\"text\":\"常熟\"}"], "t3.jsonl:1: \"id\" is a boolean, not a string or an integer"),
            (["{\"id\":1.5,\"text\":\"常熟\"}"], "t4.jsonl:1: \"id\" is the number 1.5, not an integer"),
            (["{\"id\":\"a\",\"text\":\"常熟\"}", "{\"text\":\"常熟\"}"], "t5.jsonl:2: no \"id\""),
            (["{\"id\":\"\",\"text\":\"常熟\"}"], "t6.jsonl:1: empty \"id\""),
            (["{\"id\":\"a\",\"text\":\"常熟\"}", "[1, 2]"], "t7.jsonl:2: not a JSON object"),
        ]
        for (i, c) in cases.enumerated() {
            let path = try corpus("t\(i).jsonl", c.lines)
            let r = try runCLI(["search", path, "常熟"])
            #expect(r.status == 1, "\(c.lines): \(r)")
            #expect(r.stderr.contains(c.message), "\(c.lines): \(r)")
            #expect(!r.stderr.contains("Usage:"))
            let idx = dir + "/idx\(i)"
            #expect(try runCLI(["index", path, "--out", idx]).status == 1)
            #expect(!FileManager.default.fileExists(atPath: idx))
        }

        // A numeric id keeps its decimal text; null means absent; other keys are reported once.
        let good = try corpus("good.jsonl", [
            "{\"id\":777,\"text\":\"常熟\",\"author\":\"a\"}",
            "{\"id\":\"x\",\"title\":null,\"text\":\"常熟市\",\"author\":\"b\",\"tags\":[]}",
        ])
        let r = try runCLI(["search", good, "常熟", "--json"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("\"id\":\"777\""), "\(r)")
        #expect(r.stderr.contains("ignored keys: author (2 lines), tags (1 line)"), "\(r)")

        // --auto-ids numbers lines without an id.
        let noIDs = try corpus("noids.jsonl", ["{\"text\":\"常熟\"}", "{\"text\":\"苏州\"}"])
        let auto = try runCLI(["search", noIDs, "苏州", "--json", "--auto-ids"])
        #expect(auto.status == 0 && auto.stdout.contains("\"id\":\"2\""), "\(auto)")

        // Invalid UTF-8 inside a line is repaired and counted, as in .txt files.
        let invalidPath = dir + "/invalid.jsonl"
        try writeFileBytes(Array("{\"id\":\"a\",\"text\":\"常熟".utf8) + [0xFF, 0xFE] + Array("\"}\n".utf8), to: invalidPath)
        let invalid = try runCLI(["search", invalidPath, "常熟", "--json"])
        #expect(invalid.status == 0, "\(invalid)")
        #expect(invalid.stdout.contains("\"id\":\"a\""), "\(invalid)")
        #expect(invalid.stderr.contains("repaired invalid UTF-8 (as U+FFFD) on 1 line: 1"), "\(invalid)")

        // --skip-bad-lines indexes the good lines and lists the others.
        let mixed = try corpus("mixed.jsonl", ["{\"id\":\"a\",\"text\":\"常熟\"}", "not json", "{\"id\":\"b\",\"text\":5}",
                                               "{\"id\":\"c\",\"text\":\"常熟市\"}"])
        let idx = dir + "/mixed-idx"
        let skipped = try runCLI(["index", mixed, "--out", idx, "--skip-bad-lines"])
        #expect(skipped.status == 0, "\(skipped)")
        #expect(skipped.stderr.contains("skipped 2 bad lines: 2, 3"), "\(skipped)")
        #expect(try IndexStore.open(at: idx).documentCount == 2)
    }

    @Test func textFileCorpora() throws {
        let dir = try makeTemporaryDirectory("txt")
        defer { removeDirectory(dir) }
        // A single .txt file: a corpus of one document named after the file.
        let single = try runCLI(["search", seeds + "/004_11e7406c084a3f21.txt", "浙江", "--json"])
        #expect(single.status == 0, "\(single)")
        #expect(single.stdout.contains("\"id\":\"004_11e7406c084a3f21\""), "\(single)")

        let texts = dir + "/texts"
        try FileManager.default.createDirectory(atPath: texts + "/sub", withIntermediateDirectories: true)
        try writeText("常熟市参观", to: texts + "/top.txt")
        try writeText("常熟考察", to: texts + "/sub/inner.txt")
        let flat = try runCLI(["search", texts, "常熟", "--json"])
        #expect(flat.status == 0 && !flat.stdout.contains("inner"), "\(flat)")
        #expect(flat.stderr.contains("not read: 1 subdirectory (use --recursive): sub"), "\(flat)")
        let deep = try runCLI(["search", texts, "常熟", "--json", "--recursive"])
        #expect(deep.status == 0 && deep.stdout.contains("\"id\":\"sub/inner\""), "\(deep)")
        let idx = dir + "/idx"
        #expect(try runCLI(["index", texts, "--out", idx, "--recursive"]).status == 0)
        #expect(try IndexStore.open(at: idx).documentCount == 2)
    }

    // MARK: - 5. Exit statuses

    @Test func exitStatusesAndMessages() throws {
        let dir = try makeTemporaryDirectory("exit")
        defer { removeDirectory(dir) }
        let idx = try seedsIndex(in: dir)

        // A query syntax error: status 2, the error with its position, no usage text.
        let syntax = try runCLI(["search", idx, "常熟 \"参观"])
        #expect(syntax.status == 2, "\(syntax)")
        #expect(syntax.stderr.hasPrefix("bigram-search: error: query syntax error at character 3: a quote is never closed"), "\(syntax)")
        #expect(syntax.stderr.contains("  常熟 \"参观\n       ^"), "\(syntax)")
        #expect(!syntax.stderr.contains("Usage:"), "\(syntax)")
        #expect(try runCLI(["search", idx, "常熟 \"参观", "--lenient"]).status == 0)

        // Usage errors: status 2 with the subcommand's usage.
        for (command, usage) in [(["search", idx], "Usage: bigram-search search"), (["search", idx, "常熟", "--limt", "3"], "Usage: bigram-search search"),
                                 (["index", seeds], "Usage: bigram-search index"), (["delete", idx], "Usage: bigram-search delete"),
                                 (["frobnicate"], "Usage: bigram-search <subcommand>"), (["search", idx, "常熟", "--color", "sometimes"], "Usage: bigram-search search")] {
            let r = try runCLI(command)
            #expect(r.status == 2, "\(command): \(r)")
            #expect(r.stderr.contains(usage), "\(command): \(r)")
            #expect(r.stderr.hasPrefix("bigram-search: error: "), "\(command): \(r)")
        }
        #expect(try runCLI(["--help"]).status == 0)
        #expect(try runCLI(["search", "--help"]).stdout.contains("--color"))

        // A query starting with '-' needs no `--`.
        let negative = try runCLI(["search", idx, "-旅游 常熟", "--json"])
        #expect(negative.status == 0, "\(negative)")
        #expect(!negative.stdout.isEmpty)
        let dashDash = try runCLI(["search", idx, "--", "-旅游 常熟"])
        #expect(dashDash.status == 0, "\(dashDash)")

        // A damaged index: status 1 naming the file, never a usage text.
        let segment = try #require(listDirectory(idx).first { $0.hasPrefix("seg-") })
        let path = idx + "/" + segment
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        for i in stride(from: bytes.count / 3, to: bytes.count * 2 / 3, by: 97) { bytes[i] ^= 0x5A }
        try writeFileBytes(bytes, to: path)
        let verify = try runCLI(["verify", idx])
        #expect(verify.status == 1, "\(verify)")
        #expect(verify.stderr.contains(segment), "\(verify)")
        #expect(!verify.stderr.contains("Usage:"))
        for command in [["search", idx, "常熟"], ["search", idx, "常熟", "--lenient"], ["add", idx, seeds]] {
            let r = try runCLI(command)
            #expect(r.status == 1, "\(command): \(r)")
            #expect(r.stderr.contains(segment), "\(command): \(r)")
            #expect(!r.stderr.contains("Usage:"), "\(command): \(r)")
        }
    }

    // MARK: - 6. Colour

    @Test func colourOnlyOnATerminal() throws {
        func search(_ extra: [String], environment: [String: String] = [:]) throws -> String {
            let pipe = Pipe()
            let started = try startCLI(["search", seeds, "常熟"] + extra, stdout: pipe.fileHandleForWriting, environment: environment)
            try pipe.fileHandleForWriting.close()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            #expect(started.wait().status == 0)
            return String(decoding: data, as: UTF8.self)
        }
        let escape = "\u{1B}["
        let piped = try search([])
        #expect(piped.contains("常熟") && !piped.contains(escape), "\(piped)")
        #expect(!(try search(["--color", "never"])).contains(escape))
        #expect(try search(["--color", "always"]).contains(escape))
        #expect(!(try search(["--color", "auto"], environment: ["NO_COLOR": "1"])).contains(escape))
        #expect(!(try search(["--json", "--color", "always"])).contains(escape))

        // On a terminal: coloured, unless NO_COLOR is set (or --color never).
        guard let tty = try runCLIOnTerminal(["search", seeds, "常熟", "--limit", "1"]) else { return }
        #expect(tty.run.status == 0, "\(tty.run)")
        #expect(tty.terminal.contains(escape + "1;31m"), "\(tty.terminal)")
        let noColor = try #require(try runCLIOnTerminal(["search", seeds, "常熟", "--limit", "1"], environment: ["NO_COLOR": "1"]))
        #expect(noColor.terminal.contains("常熟") && !noColor.terminal.contains(escape), "\(noColor.terminal)")
        let never = try #require(try runCLIOnTerminal(["search", seeds, "常熟", "--limit", "1", "--color", "never"]))
        #expect(never.terminal.contains("常熟") && !never.terminal.contains(escape), "\(never.terminal)")
    }

    // MARK: - 7. Commands that change nothing say so

    @Test func unchangedIndexesAreReported() throws {
        let dir = try makeTemporaryDirectory("unchanged")
        defer { removeDirectory(dir) }
        let idx = try seedsIndex(in: dir)
        let before = snapshotTree(idx)
        let delete = try runCLI(["delete", idx, "no-such-id", "nor-this"])
        #expect(delete.status == 0, "\(delete)")
        #expect(delete.stdout == "nothing deleted (no document has these ids); the index is unchanged\n", "\(delete)")
        let merge = try runCLI(["merge", idx])
        #expect(merge.status == 0 && merge.stdout.contains("nothing to merge") && merge.stdout.contains("the index is unchanged"), "\(merge)")
        let empty = dir + "/empty.jsonl"
        try writeText("\n", to: empty)
        let add = try runCLI(["add", idx, empty])
        #expect(add.status == 0 && add.stdout.contains("added nothing") && add.stdout.contains("the index is unchanged"), "\(add)")
        #expect(snapshotTree(idx) == before)

        // A real change says what it did.
        let deleted = try runCLI(["delete", idx, "000_ecb1b37cb59dfad8", "no-such-id"])
        #expect(deleted.stdout == "deleted 1 of 2 documents (not found: no-such-id); the index has 1\n", "\(deleted)")
        let merged = try runCLI(["merge", idx])
        #expect(merged.status == 0 && merged.stdout.contains("dropping 1 deleted document; the index has 1"), "\(merged)")
    }
}

/// `s` as a JSON string literal.
private func jsonLiteral(_ s: String) throws -> String {
    String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
}
