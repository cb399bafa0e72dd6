import Foundation
import Testing
import BigramSearch

// Tests of the `bigram-search` command-line tool, run as a separate process (the built
// executable, see Support/CLIRunner.swift): commands never create an index implicitly, a second
// writer is refused (or waits), I/O failures end with status 1 instead of a crash or a silent
// truncation, JSON Lines values of the wrong type are errors, exit statuses are 0/1/2, colour
// only on a terminal, and commands that change nothing say so.

@Suite(.checksSegmentInvariants) struct CLITests {
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

    /// The corpus is read on a thread of its own, batches ahead of the indexing: a corpus of
    /// several 1 MB batches is indexed whole and in order, and a bad line after several batches
    /// is reported with its line number, nothing committed.
    @Test func aCorpusOfSeveralBatchesAndABadLineAtItsEnd() throws {
        let dir = try makeTemporaryDirectory("batches")
        defer { removeDirectory(dir) }
        let corpus = try seedParagraphCorpus(documents: 900, paragraphs: 80) { "第\($0)号 " }
        #expect(corpus.utf8.count > 3 << 20, "\(corpus.utf8.count) bytes: fewer than three batches")
        let good = dir + "/good.jsonl", bad = dir + "/bad.jsonl"
        try writeText(corpus, to: good)
        try writeText(corpus + "{\"id\":\"x\",\"text\":[]}\n", to: bad)
        let out = dir + "/good"
        let r = try runCLI(["index", good, "--out", out, "--threads", "1"])
        #expect(r.status == 0, "\(r)")
        let s = try IndexStore.open(at: out)
        #expect(s.documentCount == 900)
        #expect(try s.matchingIDs(try s.queryParser.parse("\"第899号\"")) == ["p899"])
        let failed = try runCLI(["index", bad, "--out", dir + "/bad", "--threads", "1"])
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.contains("bad.jsonl:901:"), "\(failed)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/bad"))
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
        let corpus = try seedParagraphCorpus(documents: 600, paragraphs: 20)
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

    // MARK: - 8. Fields and analysis of an index

    /// A JSON Lines corpus written into `dir`.
    private func jsonl(_ dir: String, _ name: String, _ lines: [String]) throws -> String {
        let path = dir + "/" + name
        try writeText(lines.joined(separator: "\n") + "\n", to: path)
        return path
    }

    @Test func indexSearchesTitleAndTextByDefault() throws {
        let dir = try makeTemporaryDirectory("fields")
        defer { removeDirectory(dir) }
        let corpus = try jsonl(dir, "c.jsonl", [
            #"{"id":"t","title":"常熟考察","text":"代表团赴苏州参观。"}"#,
            #"{"id":"x","title":"苏州","text":"代表团赴常熟考察。"}"#,
        ])
        let idx = dir + "/idx"
        #expect(try runCLI(["index", corpus, "--out", idx]).status == 0)
        let schema = try IndexStore.open(at: idx).schema
        #expect(schema == .corpusTitleAndText)
        #expect(schema.fields.map(\.name) == ["text", "title"] && schema.fields.allSatisfy(\.indexed))
        #expect(schema.fields[1].boost == 2)
        // title: queries work on a saved index and on a corpus indexed on the fly, and the title
        // (boost 2) outranks the same words in the text.
        for target in [idx, corpus] {
            let title = try runCLI(["search", target, "title:常熟"])
            #expect(title.status == 0 && title.stdout.hasPrefix("1 matching document\n1. t  常熟考察"), "\(title)")
            let both = try runCLI(["search", target, "常熟 考察"])
            #expect(both.stdout.hasPrefix("2 matching documents\n1. t "), "\(both)")
        }
        #expect(try runCLI(["stats", corpus]).stdout.contains("documents                           2"))
        // Adding to the index keeps its schema (and reads its keys).
        let more = try jsonl(dir, "more.jsonl", [#"{"id":"y","title":"常熟","text":"无"}"#])
        #expect(try runCLI(["add", idx, more]).status == 0)
        #expect(try runCLI(["search", idx, "title:常熟"]).stdout.hasPrefix("2 matching documents"))
        #expect(try runCLI(["index", more, "--out", idx]).status == 0)
    }

    @Test func fieldOptions() throws {
        let dir = try makeTemporaryDirectory("field-options")
        defer { removeDirectory(dir) }
        let corpus = try jsonl(dir, "c.jsonl", [
            #"{"id":"a","head":"常熟","body":"苏州参观","url":"/a","text":"ignored"}"#,
            #"{"id":"b","head":"苏州","body":"常熟参观","url":"/b"}"#,
        ])
        let idx = dir + "/idx"
        let r = try runCLI(["index", corpus, "--out", idx, "--field", "body", "--field", "head:boost=3", "--field", "url:stored-only"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("ignored keys: text (1 line)"), "\(r)")
        let snapshot = try IndexStore.open(at: idx)
        #expect(snapshot.schema == Schema([.init("body"), .init("head", boost: 3), .init("url", indexed: false)]))
        let head = try runCLI(["search", idx, "head:常熟", "--json"])
        #expect(head.status == 0, "\(head)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(head.stdout.utf8)) as? [String: Any])
        let hits = try #require(object["hits"] as? [[String: Any]])
        #expect(hits.count == 1 && hits[0]["id"] as? String == "a")
        #expect(hits[0]["fields"] as? [String: String] == ["head": "常熟", "body": "苏州参观", "url": "/a"])
        // A stored-only field is not searchable: an unknown field, a usage-class error (2).
        let url = try runCLI(["search", idx, "url:a"])
        #expect(url.status == 2 && url.stderr.contains("unknown field \"url\""), "\(url)")
        // On the fly, the same options.
        let onTheFly = try runCLI(["search", corpus, "head:常熟", "--field", "head", "--field", "body"])
        #expect(onTheFly.status == 0 && onTheFly.stdout.hasPrefix("1 matching document\n1. a"), "\(onTheFly)")
        // Another schema for an existing index is refused, and changes nothing.
        let before = snapshotTree(idx)
        let other = try runCLI(["index", corpus, "--out", idx, "--field", "body"])
        #expect(other.status == 1 && other.stderr.contains("another schema"), "\(other)")
        #expect(snapshotTree(idx) == before)

        // Malformed --field values: usage errors (2) naming the problem, nothing written.
        for (value, message) in [("text:bogus", "unknown part 'bogus'"), ("text:boost=x", "boost must be a number"),
                                 ("text:colour=red", "unknown setting 'colour'"), ("bad name", "the field name must be"),
                                 ("text:stored-only:boost=2", "has no boost"), (":boost=2", "the field name must be")] {
            let out = dir + "/bad"
            let bad = try runCLI(["index", corpus, "--out", out, "--field", value])
            #expect(bad.status == 2, "\(value): \(bad)")
            #expect(bad.stderr.contains(message) && bad.stderr.contains("Usage:"), "\(value): \(bad)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        for args in [["--field", "a", "--field", "a"], ["--field", "a:stored-only"]] {
            let bad = try runCLI(["search", corpus, "常熟"] + args)
            #expect(bad.status == 2, "\(args): \(bad)")
        }
    }

    @Test func analyzerOptionsAreStoredWithTheIndex() throws {
        let dir = try makeTemporaryDirectory("analyzer-options")
        defer { removeDirectory(dir) }
        let corpus = try jsonl(dir, "c.jsonl", [#"{"id":"a","text":"體育新聞"}"#])
        let folded = dir + "/folded"
        #expect(try runCLI(["index", corpus, "--out", folded, "--fold-traditional", "--unigrams"]).status == 0)
        let analyzer = try #require(try IndexStore.open(at: folded).analyzer as? BigramAnalyzer)
        #expect(analyzer.options == .init(foldTraditional: true, emitUnigrams: true))
        #expect(try runCLI(["search", folded, "体育"]).stdout.hasPrefix("1 matching document"))
        // Adding without the flags keeps the index's analyzer.
        let more = try jsonl(dir, "more.jsonl", [#"{"id":"b","text":"体育"}"#])
        #expect(try runCLI(["add", folded, more]).status == 0)
        #expect(try runCLI(["search", folded, "體育"]).stdout.hasPrefix("2 matching documents"))
        // Without folding, the scripts stay apart; on the fly, the flag folds.
        let plain = dir + "/plain"
        #expect(try runCLI(["index", corpus, "--out", plain]).status == 0)
        #expect(try runCLI(["search", plain, "体育"]).stdout.hasPrefix("0 matching documents"))
        #expect(try runCLI(["search", corpus, "体育", "--fold-traditional"]).stdout.hasPrefix("1 matching document"))
    }

    // MARK: - 9. Paging, JSON, marks

    @Test func pagingAndJSON() throws {
        let dir = try makeTemporaryDirectory("paging")
        defer { removeDirectory(dir) }
        var lines: [String] = []
        for n in 0..<23 {
            let text = String(repeating: "常熟", count: 1 + n % 5) + (n % 2 == 0 ? " Linux\t内核" : "，参\n观 😀")
            lines.append(try jsonLiteralObject(["id": "d\(n)", "title": n % 3 == 0 ? "常熟" : "苏州", "text": text]))
        }
        let corpus = try jsonl(dir, "c.jsonl", lines)
        let idx = dir + "/idx"
        #expect(try runCLI(["index", corpus, "--out", idx]).status == 0)

        func page(_ extra: [String]) throws -> [String: Any] {
            let r = try runCLI(["search", idx, "常熟"] + extra + ["--json"])
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.hasSuffix("}\n") && r.stdout.filter { $0 == "\n" }.count == 1, "one object on one line: \(r.stdout)")
            return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        }
        func ids(_ o: [String: Any]) -> [String] { ((o["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } }
        for rerank in [[], ["--rerank"]] {
            let all = try page(["--limit", "100"] + rerank)
            #expect(all["total"] as? Int == 23 && all["offset"] as? Int == 0 && ids(all).count == 23)
            var pages: [String] = []
            for offset in stride(from: 0, to: 23, by: 5) {
                let p = try page(["--limit", "5", "--offset", "\(offset)"] + rerank)
                #expect(p["total"] as? Int == 23 && p["offset"] as? Int == offset)
                pages += ids(p)
            }
            #expect(pages == ids(all), "\(rerank)")
            // The library gives the same page.
            let library = try IndexStore.open(at: idx).search("常熟", options: SearchOptions(limit: 4, offset: 9,
                                                                                           reranking: rerank.isEmpty ? nil : Reranking()))
            #expect(ids(try page(["--limit", "4", "--offset", "9"] + rerank)) == library.hits.map(\.id))
        }

        // Every stored field, every highlight with UTF-8 and UTF-16 ranges and the marked snippet.
        let one = try page(["--limit", "1", "--offset", "0"])
        let hit = try #require((one["hits"] as? [[String: Any]])?.first)
        let fields = try #require(hit["fields"] as? [String: String])
        #expect(Set(fields.keys) == ["title", "text"])
        let highlights = try #require(hit["highlights"] as? [[String: Any]])
        #expect(Set(highlights.compactMap { $0["field"] as? String }) == ["title", "text"])
        for h in highlights {
            let text = try #require(fields[h["field"] as! String])
            let u8 = try #require(h["utf8"] as? [[Int]]), u16 = try #require(h["utf16"] as? [[Int]])
            #expect(!u8.isEmpty && u8.count == u16.count)
            for (a, b) in zip(u8, u16) {
                // (Adjacent matches make one range: 常熟常熟.)
                let cut8 = String(decoding: Array(text.utf8)[a[0]..<a[1]], as: UTF8.self)
                #expect(!cut8.isEmpty && cut8.replacingOccurrences(of: "常熟", with: "").isEmpty, "\(cut8)")
                #expect(String(decoding: Array(text.utf16)[b[0]..<b[1]], as: UTF16.self) == cut8)
            }
            #expect((h["snippet"] as? String)?.contains("<b>常熟") == true, "\(h)")
        }

        // Text output numbers hits from offset + 1.
        let text = try runCLI(["search", idx, "常熟", "--limit", "2", "--offset", "20"])
        #expect(text.status == 0 && text.stdout.hasPrefix("23 matching documents (showing hits 21–22)\n21. "), "\(text)")
        #expect(text.stdout.contains("\n22. ") && !text.stdout.contains("\n23. "))
        let beyond = try runCLI(["search", idx, "常熟", "--offset", "50"])
        #expect(beyond.stdout == "23 matching documents\n", "\(beyond)")

        // --mark: two values, before or after the query; with --json too. Snippets keep spaces and
        // tabs, show a line break as a space, and drop it between CJK characters.
        for args in [["search", idx, "--mark", "[", "]", "linux", "--limit", "1"], ["search", idx, "linux", "--limit", "1", "--mark", "[", "]"],
                     ["search", "--mark", "[", "]", idx, "linux", "--limit", "1"]] {
            let r = try runCLI(args)
            #expect(r.status == 0 && r.stdout.contains(" [Linux]\t内核"), "\(args): \(r)")
        }
        let marked = try runCLI(["search", idx, "参观", "--limit", "1", "--mark", "«", "»", "--json"])
        #expect(marked.stdout.contains("«参观» 😀"), "\(marked)")
        let single = try runCLI(["search", idx, "常熟", "--limit", "1", "--offset", "3"])
        #expect(single.stdout.hasPrefix("23 matching documents (showing hit 4)\n4. "), "\(single)")
        for bad in [["--mark", "["], ["--mark", "[", "]", "--mark", "<"], ["--offset", "-1"], ["--offset", "x"]] {
            let r = try runCLI(["search", idx, "常熟"] + bad)
            #expect(r.status == 2 && r.stderr.contains("Usage:"), "\(bad): \(r)")
        }
    }

    // MARK: - 10. check

    @Test func checkQueryFiles() throws {
        let dir = try makeTemporaryDirectory("check")
        defer { removeDirectory(dir) }
        let corpus = try jsonl(dir, "c.jsonl", [
            #"{"id":"a","title":"常熟","text":"苏州参观"}"#,
            #"{"id":"b","text":"常熟考察"}"#,
        ])
        let idx = dir + "/idx"
        #expect(try runCLI(["index", corpus, "--out", idx]).status == 0)
        // kind and expected optional; `check` searches text only (a's title does not count), on a
        // corpus and on a saved index (which has title indexed).
        let queries = try jsonl(dir, "q.jsonl", [
            #"{"q":"常熟","kind":"a-kind-name-longer-than-ten","expected":["b"]}"#,
            #"{"q":"参观"}"#,
            "",
            #"{"q":"考察 OR 参观","kind":"multi","expected":["a","b"]}"#,
        ])
        for target in [corpus, idx] {
            let r = try runCLI(["check", "--corpus", target, "--queries", queries, "--passes", "1"])
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains("exact 2/2 (1 query without expected results, not judged)"), "\(r)")
            // The table's columns line up: every line as wide, each column's cells ending at one place.
            let table = r.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("kind") || $0.hasPrefix("a-kind") || $0.hasPrefix("other") || $0.hasPrefix("multi") }
            #expect(table.count == 4, "\(r.stdout)")
            #expect(Set(table.map(\.count)).count == 1, "\(table)")
            let header = try #require(table.first)
            for name in ["queries", "judged", "exact", "misses"] {
                let end = try #require(header.range(of: name)).upperBound.utf16Offset(in: header)
                for row in table.dropFirst() {
                    let u = Array(row.utf16)
                    #expect(u[end - 1] != 0x20 && (end == u.count || u[end] == 0x20), "\(name) in \(row)")
                }
            }
            #expect(table[1].hasPrefix("a-kind-name-longer-than-ten  "), "\(table)")
        }
        // A wrong expected set: status 1.
        let wrong = try jsonl(dir, "wrong.jsonl", [#"{"q":"常熟","expected":["a","b"]}"#])
        let w = try runCLI(["check", "--corpus", corpus, "--queries", wrong, "--passes", "1"])
        #expect(w.status == 1 && w.stdout.contains("exact 0/1"), "\(w)")
        // Bad lines: an error naming the file and line, status 1, before any indexing.
        for (line, message) in [("not json", "not JSON"), (#"{"kind":"x"}"#, "no \"q\""), (#"{"q":"常熟","expected":"b"}"#, "\"expected\" is not an array"),
                                (#"{"q":"常熟","kind":3}"#, "\"kind\" is not"), (#"{"q":"(常熟"}"#, "parentheses")] {
            let path = try jsonl(dir, "bad.jsonl", [#"{"q":"常熟"}"#, line])
            let r = try runCLI(["check", "--corpus", corpus, "--queries", path, "--passes", "1"])
            #expect(r.status == 1, "\(line): \(r)")
            #expect(r.stderr.contains("bad.jsonl:2: ") && r.stderr.contains(message), "\(line): \(r)")
            #expect(!r.stderr.contains("Usage:"))
        }
        let empty = try jsonl(dir, "empty.jsonl", [""])
        let e = try runCLI(["check", "--corpus", corpus, "--queries", empty])
        #expect(e.status == 1 && e.stderr.contains("no queries"), "\(e)")
    }

    // MARK: - 11. Typed fields: --field NAME:TYPE, --filter, --sort, --facet, --after

    /// One document of the typed corpus, and the JSON Lines line for it.
    private struct TypedDoc {
        var id: String, title: String?, text: String, date: String?, source: [String], n: Int?

        var line: String {
            var o: [String: Any] = ["id": id, "text": text]
            if let title { o["title"] = title }
            if let date { o["date"] = date }
            o["source"] = source.count == 1 ? source[0] as Any : source as Any
            o["n"] = n.map { $0 as Any } ?? NSNull()
            return String(decoding: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self)
        }

        /// Whether `常熟` matches (in the text or the title).
        var matchesChangshu: Bool { text.contains("常熟") || title?.contains("常熟") == true }

        /// What `--json` prints as the hit's fields (schema order: text, title, date, source, n).
        var jsonFields: [String: Any] {
            var o: [String: Any] = ["text": text, "source": source.count == 1 ? source[0] as Any : source.sorted() as Any]
            if let title { o["title"] = title }
            if let date { o["date"] = date + "T00:00:00Z" }
            if let n { o["n"] = n }
            return o
        }
    }

    /// 14 documents: `常熟` in all but every fourth; dates in 2023 and 2024 (two without); three
    /// sources (one document with two); `n` from 0 to 9 (one without).
    private let typedDocs: [TypedDoc] = (0..<14).map { i in
        TypedDoc(id: "d\(i)", title: i % 3 == 0 ? "常熟新闻" : nil, text: i % 4 == 3 ? "苏州参观 \(i)" : "代表团赴常熟考察 \(i)",
                 date: i % 5 == 4 ? nil : "\(2023 + i % 2)-\(i % 12 + 1 < 10 ? "0" : "")\(i % 12 + 1)-10",
                 source: i == 7 ? ["新华社", "体育"] : [["新华社", "人民日报", "体育"][i % 3]], n: i == 11 ? nil : i * 7 % 10)
    }

    private static let typedFieldOptions = ["--field", "date:date", "--field", "source:keyword", "--field", "n:int"]

    /// The typed corpus in `dir`, indexed (two segments: the second run adds to the first).
    private func typedIndex(_ dir: String) throws -> (corpus: String, index: String) {
        let corpus = try jsonl(dir, "typed.jsonl", typedDocs.map(\.line))
        let first = try jsonl(dir, "first.jsonl", typedDocs.prefix(6).map(\.line))
        let idx = dir + "/typed-idx"
        let r = try runCLI(["index", first, "--out", idx] + Self.typedFieldOptions)
        try #require(r.status == 0, "\(r)")
        let rest = try jsonl(dir, "rest.jsonl", typedDocs.dropFirst(6).map(\.line))
        let a = try runCLI(["add", idx, rest])
        try #require(a.status == 0, "\(a)")
        return (corpus, idx)
    }

    /// The documents matching `常熟` in `docs`, ordered by date descending then n ascending
    /// (documents without a value last, ties in corpus order).
    private func byDateDescThenN(_ docs: [TypedDoc]) -> [TypedDoc] {
        docs.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.date != y.date {
                guard let dx = x.date else { return false }
                guard let dy = y.date else { return true }
                return dx > dy
            }
            if x.n != y.n {
                guard let nx = x.n else { return false }
                guard let ny = y.n else { return true }
                return nx < ny
            }
            return a.offset < b.offset
        }.map(\.element)
    }

    private func jsonObject(_ r: CLIRun, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(r.status == 0, "\(r)", sourceLocation: sourceLocation)
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r)", sourceLocation: sourceLocation)
    }

    private func hitIDs(_ o: [String: Any]) -> [String] { ((o["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } }

    @Test func typedFieldsAreIndexedFromJSONLines() throws {
        let dir = try makeTemporaryDirectory("typed-index")
        defer { removeDirectory(dir) }
        let (corpus, idx) = try typedIndex(dir)
        // Typed fields add to the default text fields.
        let schema = try IndexStore.open(at: idx).schema
        #expect(schema == Schema([.init("text"), .init("title", boost: 2), .init("date", kind: .date), .init("source", kind: .keyword),
                                  .init("n", kind: .int)]))
        #expect(try IndexStore.open(at: idx).search("常熟 OR 苏州", options: SearchOptions(limit: 100)).hits
            .first { $0.id == "d7" }?.value("source") == .keywords(["体育", "新华社"]))   // (sorted)
        let stats = try runCLI(["stats", idx])
        #expect(stats.stdout.contains("\nfields                              text (text), title (text, boost 2), date (date), source (keyword), n (int)\n"), "\(stats)")
        // A text field named explicitly replaces the defaults; a typed title replaces the default title.
        for (options, expected) in [(["--field", "text", "--field", "date:date"], Schema([.init("text"), .init("date", kind: .date)])),
                                    (["--field", "title:keyword"], Schema([.init("text"), .init("title", kind: .keyword)])),
                                    (["--field", "n:int", "--field", "title:text:boost=3"], Schema([.init("n", kind: .int), .init("title", boost: 3)]))] {
            let out = dir + "/schema-\(options.count)-\(options[1].count)"
            let r = try runCLI(["index", corpus, "--out", out] + options)
            #expect(r.status == 0, "\(options): \(r)")
            #expect(try IndexStore.open(at: out).schema == expected, "\(options)")
        }
        // `index` into the existing index with the same options, and `add`, read the typed keys.
        let more = try jsonl(dir, "more.jsonl", [#"{"id":"m1","text":"常熟","date":"2025-01-02","source":"新来源","n":"99"}"#])
        #expect(try runCLI(["index", more, "--out", idx] + Self.typedFieldOptions).status == 0)
        let m1 = try IndexStore.open(at: idx).search("常熟", options: SearchOptions(limit: 1, sort: [SortField("n", descending: true)])).hits
        #expect(m1.first?.id == "m1" && m1.first?.value("n") == .int(99) && m1.first?.value("date") == .date(milliseconds: 1_735_776_000_000))

        // A value that does not parse: an error naming the line, the field and the value; nothing written.
        var lines = typedDocs.prefix(4).map(\.line)
        lines[2] = #"{"id":"bad","text":"常熟","date":"2024-13-01"}"#
        let bad = try jsonl(dir, "bad.jsonl", lines)
        let out = dir + "/bad-idx"
        let r = try runCLI(["index", bad, "--out", out] + Self.typedFieldOptions)
        #expect(r.status == 1 && r.exited, "\(r)")
        #expect(r.stderr.contains("bad.jsonl:3: \"date\" is \"2024-13-01\", not an ISO 8601 date (a date field); nothing was committed"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: out))
        for (value, message) in [(#""n":"seven""#, #"bad.jsonl:3: "n" is "seven", not an integer (an int field)"#),
                                 (#""source":7"#, #"bad.jsonl:3: "source" is the number 7, not a string or an array of strings (a keyword field)"#)] {
            lines[2] = #"{"id":"bad","text":"常熟","# + value + "}"
            _ = try jsonl(dir, "bad.jsonl", lines)
            let r = try runCLI(["index", bad, "--out", out] + Self.typedFieldOptions)
            #expect(r.status == 1 && r.stderr.contains(message), "\(r)")
        }
        // With --skip-bad-lines it is a bad line, skipped and listed.
        let skip = try runCLI(["index", bad, "--out", out, "--skip-bad-lines"] + Self.typedFieldOptions)
        #expect(skip.status == 0 && skip.stderr.contains("skipped 1 bad line: 3"), "\(skip)")
        #expect(skip.stderr.contains(#"bad.jsonl:3: "source" is the number 7"#), "\(skip)")
        #expect(try IndexStore.open(at: out).statistics.documents == 3)

        // Malformed typed --field values: usage errors (2).
        for (value, message) in [("n:int:boost=2", "a int field is not searched by words, so it has no boost"),
                                 ("n:int:stored-only", "stored-only is for text fields"), ("n:int:date", "the type is given twice"),
                                 ("n:float", "unknown part 'float'")] {
            let bad = try runCLI(["index", corpus, "--out", dir + "/never", "--field", value])
            #expect(bad.status == 2 && bad.stderr.contains(message) && bad.stderr.contains("Usage:"), "\(value): \(bad)")
        }
        let noText = try runCLI(["index", corpus, "--out", dir + "/never", "--field", "text:keyword", "--field", "title:keyword"])
        #expect(noText.status == 2 && noText.stderr.contains("at least one text field must be searchable"), "\(noText)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/never"))
    }

    @Test func sortFacetsOffsetLimitJSON() throws {
        let dir = try makeTemporaryDirectory("typed-json")
        defer { removeDirectory(dir) }
        let (corpus, idx) = try typedIndex(dir)
        let matching = typedDocs.filter(\.matchesChangshu)
        let ordered = byDateDescThenN(matching)
        var sources: [String: Int] = [:], years: [String: Int] = [:]
        for d in matching {
            for s in Set(d.source) { sources[s, default: 0] += 1 }
            if let date = d.date { years[String(date.prefix(4)), default: 0] += 1 }
        }
        let sourceOrder = sources.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        let args = ["常熟", "--sort", "date:desc", "--sort", "n:asc", "--facet", "source", "--facet", "date:year",
                    "--offset", "2", "--limit", "4", "--json"]
        for target in [idx, corpus] {
            let r = try runCLI(["search", target] + args + (target == corpus ? Self.typedFieldOptions : []))
            let o = try jsonObject(r)
            // Keys in a stable order, one object on one line.
            #expect(r.stdout.hasPrefix(#"{"total":\#(matching.count),"offset":2,"hits":[{"id":""#), "\(r.stdout)")
            #expect(r.stdout.hasSuffix("\"}\n") && r.stdout.filter { $0 == "\n" }.count == 1)
            #expect(Set(o.keys) == ["total", "offset", "hits", "facets", "next"])
            #expect(o["total"] as? Int == matching.count && o["offset"] as? Int == 2)
            let hits = try #require(o["hits"] as? [[String: Any]])
            let expected = Array(ordered[2..<6])
            #expect(hits.compactMap { $0["id"] as? String } == expected.map(\.id))
            for (hit, doc) in zip(hits, expected) {
                #expect(Set(hit.keys) == ["id", "score", "fields", "highlights"])
                #expect(hit["score"] is NSNumber && !(hit["score"] is String))
                let fields = try #require(hit["fields"] as? [String: Any])
                #expect(NSDictionary(dictionary: fields) == NSDictionary(dictionary: doc.jsonFields), "\(fields) \(doc.jsonFields)")
                if let n = doc.n { #expect((fields["n"] as? NSNumber)?.intValue == n && !(fields["n"] is String)) }
            }
            // Facets over the whole match set, buckets in the facet's order (count, then value).
            let facets = try #require(o["facets"] as? [String: [String: Int]])
            #expect(facets == ["source": sources, "date:year": years])
            let facetText = #""facets":{"source":{"# + sourceOrder.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
                + #"},"date:year":{"2023":\#(years["2023"]!),"2024":\#(years["2024"]!)}},"next":""#
            #expect(r.stdout.contains(facetText), "\(facetText)\n\(r.stdout)")
            #expect(o["next"] is String)
        }
        // No facets asked: an empty object; the last page: next is null.
        let last = try jsonObject(try runCLI(["search", idx, "常熟", "--sort", "n", "--offset", "\(matching.count - 2)", "--json"]))
        #expect(last["facets"] as? [String: Int] == [:] && last["next"] is NSNull && hitIDs(last).count == 2)
        // Keyword top N, months, ranges.
        let more = try jsonObject(try runCLI(["search", idx, "常熟", "--facet", "source:1", "--facet", "date:month", "--facet", "n:0..5,5..*",
                                              "--limit", "0", "--json"]))
        let f = try #require(more["facets"] as? [String: [String: Int]])
        #expect(f["source"]?.count == 1)
        #expect(f["date:month"]?.values.reduce(0, +) == matching.filter { $0.date != nil }.count)
        #expect(f["n:ranges"] == ["0..5": matching.filter { ($0.n ?? -1) >= 0 && $0.n! < 5 }.count, "5..*": matching.filter { ($0.n ?? -1) >= 5 }.count])
        #expect(hitIDs(more).isEmpty && more["next"] is NSNull)

        // The text output: typed values per hit, the facets as a table, the next cursor.
        let text = try runCLI(["search", idx, "常熟", "--sort", "date:desc", "--sort", "n:asc", "--facet", "source", "--facet", "date:year", "--limit", "2"])
        #expect(text.status == 0, "\(text)")
        let first = ordered[0]
        #expect(text.stdout.hasPrefix("\(matching.count) matching documents (showing hits 1–2)\n1. \(first.id)"), "\(text)")
        #expect(text.stdout.contains("\n   date: \(first.date!)  source: \(first.source.sorted().joined(separator: ", "))  n: \(first.n!)\n"), "\(text)")
        #expect(text.stdout.contains("\nfacet source\n  \(sourceOrder[0].key)"), "\(text)")
        #expect(text.stdout.contains("\nfacet date:year\n  2023  \(years["2023"]!)\n  2024  \(years["2024"]!)\n"), "\(text)")
        let cursor = try #require(text.stdout.split(separator: "\n").last.flatMap { $0.hasPrefix("more: --after ") ? $0.dropFirst(14) : nil })
        let page2 = try runCLI(["search", idx, "常熟", "--sort", "date:desc", "--sort", "n:asc", "--limit", "2", "--after", String(cursor)])
        #expect(page2.stdout.hasPrefix("\(matching.count) matching documents (showing 2 hits after the cursor)\n- \(ordered[2].id)"), "\(page2)")
        // On the fly, the next page is an offset (cursors do not outlive the run).
        let onTheFly = try runCLI(["search", corpus, "常熟", "--sort", "n", "--limit", "3"] + Self.typedFieldOptions)
        #expect(onTheFly.stdout.hasSuffix("\nmore: --offset 3\n"), "\(onTheFly)")
    }

    @Test func pagingWithAfterGivesTheWholeRanking() throws {
        let dir = try makeTemporaryDirectory("typed-after")
        defer { removeDirectory(dir) }
        let (corpus, idx) = try typedIndex(dir)
        for order in [["--sort", "date:desc", "--sort", "n:asc"], ["--sort", "source"], [], ["--rerank"]] {
            let all = try jsonObject(try runCLI(["search", idx, "常熟 OR 苏州", "--limit", "100", "--json"] + order))
            #expect(all["next"] is NSNull)
            var pages: [String] = [], cursor: String?, runs = 0
            repeat {
                let p = try jsonObject(try runCLI(["search", idx, "常熟 OR 苏州", "--limit", "3", "--json"] + order + (cursor.map { ["--after", $0] } ?? [])))
                #expect(p["total"] as? Int == typedDocs.count)
                pages += hitIDs(p)
                cursor = p["next"] as? String
                runs += 1
            } while cursor != nil && runs < 10
            #expect(runs == (typedDocs.count + 2) / 3, "\(order)")
            #expect(pages == hitIDs(all), "\(order)")
            #expect(Set(pages).count == typedDocs.count)
        }
        if true {
            let sorted = hitIDs(try jsonObject(try runCLI(["search", idx, "常熟", "--limit", "100", "--sort", "date:desc", "--sort", "n:asc", "--json"])))
            #expect(sorted == byDateDescThenN(typedDocs.filter(\.matchesChangshu)).map(\.id))
        }
        // A cursor of another query or order, of an index that has changed since, or of no search: status 2, one line.
        let page = try jsonObject(try runCLI(["search", idx, "常熟", "--sort", "n", "--limit", "2", "--json"]))
        let next = try #require(page["next"] as? String)
        for (args, message) in [(["常熟", "--sort", "n:desc"], "give the query, --filter and --sort of the search that printed it"),
                                (["苏州", "--sort", "n"], "give the query, --filter and --sort of the search that printed it"),
                                (["常熟", "--sort", "n", "--after", "AAAA"], "invalid cursor")] {
            let r = try runCLI(["search", idx] + args + (args.contains("--after") ? [] : ["--after", next]))
            #expect(r.status == 2 && r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1, "\(args): \(r)")
        }
        let same = try runCLI(["search", idx, "常熟", "--sort", "n", "--limit", "2", "--after", next, "--json"])
        #expect(same.status == 0, "\(same)")
        let onTheFly = try runCLI(["search", corpus, "常熟", "--after", next] + Self.typedFieldOptions)
        #expect(onTheFly.status == 2 && onTheFly.stderr.contains("--after continues a search of a saved index"), "\(onTheFly)")
        #expect(try runCLI(["delete", idx, "d0"]).status == 0)
        let changed = try runCLI(["search", idx, "常熟", "--sort", "n", "--limit", "2", "--after", next])
        #expect(changed.status == 2 && changed.stderr.contains("the index has changed since that page"), "\(changed)")
    }

    @Test func sortAndFacetErrors() throws {
        let dir = try makeTemporaryDirectory("typed-errors")
        defer { removeDirectory(dir) }
        let (_, idx) = try typedIndex(dir)
        // Checked against the index's fields: one line, status 2.
        for (args, message) in [
            (["--sort", "nope"], #"--sort nope: unknown field "nope" (the typed fields: date (date), source (keyword), n (int))"#),
            (["--sort", "title:desc"], #"--sort title:desc: "title" is a text field"#),
            (["--facet", "nope"], #"--facet nope: unknown field "nope""#),
            (["--facet", "text"], #"--facet text: "text" is a text field"#),
            (["--facet", "date"], #"--facet date: "date" is a date field: count it by year or month"#),
            (["--facet", "source:year"], #"--facet source:year: "source" is a keyword field"#),
            (["--facet", "n"], #"--facet n: "n" is an int field: count it by ranges"#),
            (["--facet", "n:1..x"], #"--facet n:1..x: 'x' is not an int value"#),
            (["--facet", "source", "--facet", "source:3"], "the facet source is asked for twice"),
            (["--filter", "常熟"], "'常熟' is not a condition on a typed field"),
            (["--filter", "nope:1"], #"--filter 'nope:1': query syntax error at character 0: unknown field "nope""#),
        ] {
            let r = try runCLI(["search", idx, "常熟"] + args)
            #expect(r.status == 2 && r.exited, "\(args): \(r)")
            #expect(r.stderr == "bigram-search: error: " + r.stderr.dropFirst(22) && r.stderr.contains(message), "\(args): \(r)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stdout.isEmpty, "\(args): \(r)")
        }
        // Malformed values: usage errors (status 2, with the usage).
        for args in [["--sort", "n:up"], ["--sort", ""], ["--facet", "source:0"], ["--facet", "n:1-5"], ["--facet", ":year"],
                     ["--sort", "n", "--rerank"], ["--after", ""]] {
            let r = try runCLI(["search", idx, "常熟"] + args)
            #expect(r.status == 2 && r.stderr.contains("Usage:"), "\(args): \(r)")
        }
        // The query is still needed without a filter.
        let none = try runCLI(["search", idx, "--sort", "n"])
        #expect(none.status == 2 && none.stderr.contains("Missing expected argument"), "\(none)")
    }

    @Test func filters() throws {
        let dir = try makeTemporaryDirectory("typed-filter")
        defer { removeDirectory(dir) }
        let (corpus, idx) = try typedIndex(dir)
        let matching = typedDocs.filter(\.matchesChangshu)
        func ids(_ args: [String], _ target: String? = nil) throws -> [String] {
            let t = target ?? idx
            return hitIDs(try jsonObject(try runCLI(["search", t] + args + ["--limit", "100", "--sort", "date:desc", "--sort", "n:asc", "--json"]
                                                    + (t == corpus ? Self.typedFieldOptions : []))))
        }
        for (filter, keep) in [
            ("source:体育", { (d: TypedDoc) in d.source.contains("体育") }),
            ("date:[2024-01-01 TO 2024-12-31]", { $0.date?.hasPrefix("2024") == true }),
            ("date:>=2024-06-01", { ($0.date ?? "") >= "2024-06-01" }),
            ("n:[5 TO *]", { ($0.n ?? -1) >= 5 }),
            ("n:{2 TO 8}", { ($0.n ?? -1) > 2 && $0.n! < 8 }),
        ] as [(String, (TypedDoc) -> Bool)] {
            let expected = byDateDescThenN(matching.filter(keep)).map(\.id)
            #expect(try ids(["常熟", "--filter", filter]) == expected, "\(filter)")
            #expect(try ids(["常熟", "--filter", filter], corpus) == expected, "\(filter) on the fly")
            // Without a query (empty or left out): every document passing the filter.
            let all = byDateDescThenN(typedDocs.filter(keep)).map(\.id)
            #expect(try ids(["", "--filter", filter]) == all, "\(filter)")
            #expect(try ids(["--filter", filter]) == all, "\(filter)")
        }
        // Two filters are ANDed; a filter never changes scores.
        #expect(try ids(["常熟", "--filter", "source:新华社", "--filter", "n:[0 TO 4]"])
                == byDateDescThenN(matching.filter { $0.source.contains("新华社") && ($0.n ?? 99) <= 4 }).map(\.id))
        let plain = try jsonObject(try runCLI(["search", idx, "常熟", "--limit", "100", "--json"]))
        let filtered = try jsonObject(try runCLI(["search", idx, "常熟", "--filter", "source:体育", "--limit", "100", "--json"]))
        let scores = Dictionary(uniqueKeysWithValues: ((plain["hits"] as? [[String: Any]]) ?? []).map { ($0["id"] as! String, $0["score"] as! Double) })
        for h in (filtered["hits"] as? [[String: Any]]) ?? [] { #expect(scores[h["id"] as! String] == h["score"] as? Double) }
        // Facets count the filtered set; paging a filtered search with --after.
        let f = try jsonObject(try runCLI(["search", idx, "--filter", "date:[2024-01-01 TO 2024-12-31]", "--facet", "date:year", "--json"]))
        #expect(f["facets"] as? [String: [String: Int]] == ["date:year": ["2024": typedDocs.filter { $0.date?.hasPrefix("2024") == true }.count]])
        var pages: [String] = [], cursor: String?
        repeat {
            let p = try jsonObject(try runCLI(["search", idx, "--filter", "n:[1 TO *]", "--sort", "n:desc", "--limit", "4", "--json"]
                                              + (cursor.map { ["--after", $0] } ?? [])))
            pages += hitIDs(p)
            cursor = p["next"] as? String
        } while cursor != nil && pages.count < 100
        #expect(pages == hitIDs(try jsonObject(try runCLI(["search", idx, "--filter", "n:[1 TO *]", "--sort", "n:desc", "--limit", "100", "--json"]))))
        // A filter that only excludes, with a query (`=`: a value starting with - would be an option).
        #expect(try ids(["常熟", "--filter=-source:新华社"]) == byDateDescThenN(matching.filter { !$0.source.contains("新华社") }).map(\.id))
        #expect(try ids(["常熟", "--filter=-source:新华社", "--filter", "n:>=5"])
                == byDateDescThenN(matching.filter { !$0.source.contains("新华社") && ($0.n ?? -1) >= 5 }).map(\.id))
        let onlyExcludes = try runCLI(["search", idx, "--filter=-source:新华社"])
        #expect(onlyExcludes.status == 2 && onlyExcludes.stderr.contains("--filter only excludes documents"), "\(onlyExcludes)")
        // Malformed filters: one line, status 2.
        for filter in ["n:[1 TO", "n:[x TO 2]", "date:>=yesterday", "title:[1 TO 2]", "(source:体育"] {
            let r = try runCLI(["search", idx, "常熟", "--filter", filter])
            #expect(r.status == 2 && r.exited && r.stderr.hasPrefix("bigram-search: error: ") && r.stderr.split(separator: "\n").count == 1, "\(filter): \(r)")
        }
    }
}

/// A JSON object of string values, one line.
private func jsonLiteralObject(_ fields: [String: String]) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return String(decoding: try encoder.encode(fields), as: UTF8.self)
}

/// `s` as a JSON string literal.
private func jsonLiteral(_ s: String) throws -> String {
    String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
}

/// JSON Lines of `documents` documents `p0`, `p1`, …, each `paragraphs` seed paragraphs (from the
/// document's number on, wrapping), after `prefix(i)`.
private func seedParagraphCorpus(documents: Int, paragraphs count: Int, prefix: (Int) -> String = { _ in "" }) throws -> String {
    let paragraphs = try Seeds.paragraphs()
    var corpus = ""
    for i in 0..<documents {
        let text = (0..<count).map { paragraphs[(i + $0) % paragraphs.count] }.joined(separator: "\n")
        corpus += "{\"id\":\"p\(i)\",\"text\":\(try jsonLiteral(prefix(i) + text))}\n"
    }
    return corpus
}
