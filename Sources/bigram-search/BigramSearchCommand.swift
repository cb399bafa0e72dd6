#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import BigramSearch

@main
struct BigramSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bigram-search",
        abstract: "Full-text search for Chinese (and mixed) text: analyze, index, search, check.",
        discussion: """
            Exit status: 0 success; 1 a runtime failure (I/O error, damaged index, bad corpus or \
            query file line, index locked by another writer, a path that is not an index, a check \
            that differs); 2 a usage error or a query syntax error.
            """,
        subcommands: [Analyze.self, Index.self, Add.self, Delete.self, Merge.self, Search.self, Stats.self, Verify.self,
                      Check.self])

    /// Parses, runs, and maps every outcome to one exit status (see ``CLIError``): usage errors
    /// print the subcommand's usage and exit 2; runtime errors print one line
    /// `bigram-search: error: …` and exit 1; a failed write to standard output ends with 1.
    static func main() {
        MallocArenas.limit(to: 2)   // before any thread starts (see MallocArenas)
        var command: ParsableCommand
        do {
            command = try parseAsRoot(expandingTwoValueOptions(Array(CommandLine.arguments.dropFirst())))
        } catch {
            exitAfterParseError(error)
        }
        let status: Int32
        do {
            try command.run()
            try stdoutFile.flush()
            status = 0
        } catch {
            status = report(error, command: command)
        }
        processExit(status)
    }

    /// Help and version requests (exit 0), or usage errors (exit 2).
    private static func exitAfterParseError(_ error: Error) -> Never {
        let code = exitCode(for: error)
        let text = fullMessage(for: error)
        if code == .success {
            do {
                try stdoutFile.line(text)
                try stdoutFile.flush()
            } catch { processExit(1) }
            processExit(0)
        }
        try? stderrFile.line(errorPrefixed(text))
        processExit(code == .validationFailure ? 2 : code.rawValue)
    }

    /// Prints `error` on standard error and returns the exit status.
    private static func report(_ error: Error, command: ParsableCommand) -> Int32 {
        // Whatever was printed before the failure still goes out (if it can).
        let flushed: CLIError?
        do { try stdoutFile.flush(); flushed = nil } catch { flushed = error }
        switch error {
        case let e as ExitCode:
            if e == .success, let flushed {
                try? stderrFile.line("bigram-search: error: \(flushed.message)")
                return flushed.exitCode
            }
            return e.rawValue
        case let e as CLIError:
            try? stderrFile.line("bigram-search: error: \(e.message)")
            return e.exitCode
        case let e as ValidationError:
            let type = Swift.type(of: command)
            let name = type.configuration.commandName ?? String(describing: type).lowercased()
            try? stderrFile.line("bigram-search: error: \(e.message)\n" + usageString(for: type)
                                 + "\n  See 'bigram-search \(name) --help' for more information.")
            return 2
        default:
            // ArgumentParser's own requests and errors from run(): help (exit 0), usage (exit 2).
            switch exitCode(for: error) {
            case .success:
                do { try stdoutFile.line(fullMessage(for: error)); try stdoutFile.flush() } catch { return 1 }
                return 0
            case .validationFailure:
                try? stderrFile.line(errorPrefixed(fullMessage(for: error)))
                return 2
            default:
                try? stderrFile.line("bigram-search: error: \(describe(error))")
                return 1
            }
        }
    }

    /// ArgumentParser's "Error: …" as "bigram-search: error: …".
    private static func errorPrefixed(_ text: String) -> String {
        text.hasPrefix("Error: ") ? "bigram-search: error: " + text.dropFirst(7) : text
    }
}

/// `--mark A B` as `--mark A --mark B`: an option of exactly two values, wherever it stands
/// (before the positional arguments or after them), without swallowing what follows. Arguments
/// after `--` are left alone.
func expandingTwoValueOptions(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        if a == "--" { out += arguments[i...]; break }
        if a == "--mark" && i + 2 < arguments.count {
            out += ["--mark", arguments[i + 1], "--mark", arguments[i + 2]]
            i += 3
            continue
        }
        out.append(a)
        i += 1
    }
    return out
}

/// Ends the process (the C `exit`, which ParsableCommand's `exit(withError:)` shadows).
func processExit(_ status: Int32) -> Never { terminate(status) }
private func terminate(_ status: Int32) -> Never { exit(status) }

/// The message of a library error (their descriptions name the file or line concerned).
func describe(_ error: Error) -> String {
    switch error {
    case let e as IndexError: return describe(storage: e)
    case let e as CustomStringConvertible: return e.description
    default: return "\(error)"
    }
}

private func describe(storage error: IndexError) -> String {
    guard case .storage(let s) = error else { return error.description }
    return describe(s)
}

/// A storage error with the hint a user needs.
func describe(_ error: StorageError) -> String {
    switch error {
    case .notAnIndex(let p): return notAnIndexMessage(p)
    case .locked: return error.description + "; try again later, or wait for it with --wait SECONDS"
    case .missingManifest:
        return error.description + "; move the directory aside, or delete it, and index again"
    default: return error.description
    }
}

func notAnIndexMessage(_ path: String) -> String {
    let detail: String
    switch IndexStore.kind(of: path) {
    case .missing: detail = " (no such file or directory)"
    case .empty: detail = " (an empty directory)"
    default: detail = ""
    }
    return "\(path) is not an index\(detail); create one with `bigram-search index`"
}

/// Fails with the "not an index" message unless `path` holds an index (a damaged one fails with
/// its own message). Writes nothing.
func requireIndex(_ path: String) throws(CLIError) {
    switch IndexStore.kind(of: path) {
    case .index: return
    case .damagedIndex: throw CLIError(describe(StorageError.missingManifest(path: path)))
    case .missing, .empty, .other: throw CLIError(notAnIndexMessage(path))
    }
}

/// How a corpus is read (shared by the commands that read one).
struct CorpusOptions: ParsableArguments {
    @Flag(help: "JSON Lines: give a line without an \"id\" its line number as id (otherwise an error).")
    var autoIds = false

    @Flag(help: "JSON Lines: skip malformed lines (listed on stderr) instead of stopping at the first.")
    var skipBadLines = false

    @Flag(help: "Directory corpora: read the .txt files of subdirectories too (id = relative path without .txt).")
    var recursive = false

    var options: CorpusReader.Options { .init(autoIDs: autoIds, skipBadLines: skipBadLines, recursive: recursive) }
}

/// Prints what a corpus read repaired, ignored or skipped.
func printWarnings(_ report: CorpusReader.Report) throws(CLIError) {
    for line in report.warnings { try warn("warning: " + line) }
}

/// Opens a saved index for reading, or indexes a corpus in memory with `schema` and `analyzer`
/// (as `index` would by default): a `.jsonl` file, a `.txt` file, or a directory of `.txt`
/// files that is not an index. An empty directory, a damaged index or a missing path is an
/// error; nothing is ever written.
func openForReading(_ path: String, corpus: CorpusOptions, schema: Schema = .corpusTitleAndText,
                    analyzer: BigramAnalyzer? = nil) throws -> IndexSnapshot {
    switch IndexStore.kind(of: path) {
    case .index:
        do { return try IndexStore.open(at: path) } catch { throw CLIError(describe(error)) }
    case .damagedIndex:
        throw CLIError(describe(StorageError.missingManifest(path: path)))
    case .missing:
        throw CLIError("\(path) is not an index or a corpus (no such file or directory); create an index with `bigram-search index`, or give a .jsonl file, a .txt file or a directory of .txt files")
    case .empty:
        throw CLIError(notAnIndexMessage(path))
    case .other:
        var report = CorpusReader.Report(path: path)
        let documents: [Document]
        do { documents = try CorpusReader.load(path, options: corpus.options(for: schema), report: &report) } catch {
            if case .noTextFiles = error {
                throw CLIError("\(path) is not an index, and \(error.description.dropFirst(path.count + 1)); create an index with `bigram-search index`")
            }
            throw CLIError(error.description)
        }
        try printWarnings(report)
        let writer = try IndexWriter(schema: schema, analyzer: analyzer)
        try writer.add(contentsOf: documents)
        return writer.snapshot()
    }
}
