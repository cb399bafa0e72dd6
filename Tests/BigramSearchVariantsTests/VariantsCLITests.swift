import Foundation
import Testing

/// `bigram-search search INDEX QUERY --variants`, run as a separate process (the executable `swift
/// test` builds next to the test bundle; `BIGRAM_SEARCH_EXECUTABLE` overrides).
@Suite struct VariantsCLITests {
    static let executable: String? = {
        if let path = ProcessInfo.processInfo.environment["BIGRAM_SEARCH_EXECUTABLE"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("bigram-search").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// Runs the tool; returns its status and standard output and error.
    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let path = try #require(Self.executable, "bigram-search is not built; run `swift build` first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func variantsFlag() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("variants-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let corpus = dir + "/c.jsonl"
        try Data("""
            {"id":"tw","text":"這套軟體可以備份網路上的資料。"}
            {"id":"cn","text":"这款软件可以备份网络上的数据。"}

            """.utf8).write(to: URL(fileURLWithPath: corpus))
        let idx = dir + "/idx"
        let indexed = try run(["index", corpus, "--out", idx])
        try #require(indexed.status == 0, "\(indexed)")

        let plain = try run(["search", idx, "軟體", "--mark", "[", "]"])
        #expect(plain.status == 0)
        #expect(plain.stdout.hasPrefix("1 matching document\n"), "\(plain)")
        let widened = try run(["search", idx, "軟體", "--variants", "--mark", "[", "]"])
        #expect(widened.status == 0)
        #expect(widened.stdout.hasPrefix("2 matching documents\n"), "\(widened)")
        #expect(widened.stdout.contains("這套[軟體]可以") && widened.stdout.contains("这款[软件]可以"), "\(widened)")
        // On a corpus indexed on the fly, leniently, and with an exclusion.
        let lenient = try run(["search", corpus, "\"数据", "--variants", "--lenient", "--json"])
        #expect(lenient.status == 0)
        #expect(lenient.stdout.hasPrefix("{\"total\":2,"), "\(lenient)")
        let excluded = try run(["search", idx, "可以 -軟體", "--variants"])
        #expect(excluded.stdout.hasPrefix("0 matching documents"), "\(excluded)")
        // Syntax errors are as without the flag.
        let syntax = try run(["search", idx, "\"軟體", "--variants"])
        #expect(syntax.status == 2)
        #expect(syntax.stderr.hasPrefix("bigram-search: error: query syntax error"), "\(syntax)")
        #expect(try run(["search", "--help"]).stdout.contains("--variants"))
    }
}
