import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Running the built `bigram-search` executable from the tests (CLITests.swift): finding it, running
// it with files, pipes or a pseudo-terminal as its standard streams. (File helpers of these tests
// are in TemporaryFiles.swift.)

/// The built `bigram-search` executable, or nil (with the places looked at).
enum CLIExecutable {
    /// `swift test` builds every target, so the executable is next to the test bundle: in the
    /// directory of the test process's executable (`.build/<triple>/debug/`) or of a loaded bundle.
    /// `BIGRAM_SEARCH_EXECUTABLE` overrides.
    static let located: (url: URL?, searched: [String]) = {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["BIGRAM_SEARCH_EXECUTABLE"] {
            candidates.append(URL(fileURLWithPath: path))
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<3 {   // .xctest may be a directory (macOS bundles): walk up a few levels
            candidates.append(directory.appendingPathComponent("bigram-search"))
            directory = directory.deletingLastPathComponent()
        }
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("bigram-search"))
        }
        candidates.append(Seeds.repositoryRoot.appendingPathComponent(".build/debug/bigram-search"))
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return (found, candidates.map(\.path))
    }()

    /// The executable; records a failure naming where it was looked for when it is missing.
    static func url(sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        guard let url = located.url else {
            Issue.record("bigram-search is not built (looked at: \(located.searched.joined(separator: ", "))); run `swift build` first",
                         sourceLocation: sourceLocation)
            throw CLIMissing()
        }
        return url
    }

    struct CLIMissing: Error {}
}

/// The outcome of one run.
struct CLIRun: CustomStringConvertible {
    var status: Int32
    /// False when the process was killed by a signal (a crash, a `try!` trap).
    var exited: Bool
    var stdout: String
    var stderr: String

    var description: String { "status \(status)\(exited ? "" : " (signal)")\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs `bigram-search` with `arguments` and waits for it. Standard output and error go to
/// temporary files (read back into the result) unless `stdout`/`stderr` give other files.
/// `NO_COLOR` is removed from the environment unless `environment` sets it.
@discardableResult
func runCLI(_ arguments: [String], stdin: String? = nil, stdout: FileHandle? = nil, stderr: FileHandle? = nil,
            environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIRun {
    let started = try startCLI(arguments, stdin: stdin, stdout: stdout, stderr: stderr, environment: environment,
                               sourceLocation: sourceLocation)
    return started.wait()
}

/// A `bigram-search` process started by ``startCLI(_:stdin:stdout:stderr:environment:sourceLocation:)``.
struct StartedCLI {
    let process: Process
    let outPath: String?
    let errPath: String?

    func wait() -> CLIRun {
        process.waitUntilExit()
        func read(_ path: String?) -> String {
            guard let path else { return "" }
            defer { try? FileManager.default.removeItem(atPath: path) }
            return String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(), as: UTF8.self)
        }
        return CLIRun(status: process.terminationStatus, exited: process.terminationReason == .exit,
                      stdout: read(outPath), stderr: read(errPath))
    }
}

/// Starts `bigram-search` without waiting (see ``runCLI(_:stdin:stdout:stderr:environment:sourceLocation:)``).
func startCLI(_ arguments: [String], stdin: String? = nil, stdout: FileHandle? = nil, stderr: FileHandle? = nil,
              environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> StartedCLI {
    let process = Process()
    process.executableURL = try CLIExecutable.url(sourceLocation: sourceLocation)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = nil
    for (k, v) in environment { env[k] = v }
    process.environment = env
    func temporaryFile(_ tag: String) -> (String, FileHandle) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("CLITests-\(tag)-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return (path, FileHandle(forWritingAtPath: path)!)
    }
    var outPath: String?, errPath: String?, inPath: String?
    var ours: [FileHandle] = []   // the parent's copies, closed once the child has its own
    if let stdout { process.standardOutput = stdout } else {
        let (p, h) = temporaryFile("out"); outPath = p; process.standardOutput = h; ours.append(h)
    }
    if let stderr { process.standardError = stderr } else {
        let (p, h) = temporaryFile("err"); errPath = p; process.standardError = h; ours.append(h)
    }
    if let stdin {
        let (p, h) = temporaryFile("in")
        inPath = p
        h.write(Data(stdin.utf8))
        try h.close()
    }
    let input = FileHandle(forReadingAtPath: inPath ?? "/dev/null")!
    ours.append(input)
    process.standardInput = input
    defer {
        for h in ours { try? h.close() }
        if let inPath { try? FileManager.default.removeItem(atPath: inPath) }
    }
    try process.run()
    return StartedCLI(process: process, outPath: outPath, errPath: errPath)
}

/// Runs `bigram-search` with a pseudo-terminal as its standard output; returns what it printed
/// there, or nil when no pseudo-terminal can be opened here.
func runCLIOnTerminal(_ arguments: [String], environment: [String: String] = [:],
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> (run: CLIRun, terminal: String)? {
    // posix_openpt and friends are behind feature macros the C module does not define: look them up.
    typealias OpenPT = @convention(c) (Int32) -> Int32
    typealias OnFD = @convention(c) (Int32) -> Int32
    typealias PTSName = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
    guard let handle = dlopen(nil, RTLD_NOW), let o = dlsym(handle, "posix_openpt"), let g = dlsym(handle, "grantpt"),
          let u = dlsym(handle, "unlockpt"), let p = dlsym(handle, "ptsname") else { return nil }
    let master = unsafeBitCast(o, to: OpenPT.self)(O_RDWR | O_NOCTTY)
    guard master >= 0 else { return nil }
    defer { close(master) }
    guard unsafeBitCast(g, to: OnFD.self)(master) == 0, unsafeBitCast(u, to: OnFD.self)(master) == 0,
          let name = unsafeBitCast(p, to: PTSName.self)(master),
          let slave = FileHandle(forWritingAtPath: String(cString: name)) else { return nil }
    let started = try startCLI(arguments, stdout: slave, environment: environment, sourceLocation: sourceLocation)
    try slave.close()
    // Drain the terminal while the process runs (its buffer is small), until the process has
    // exited and nothing is left.
    _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
        if n > 0 { bytes += chunk[0..<n]; continue }
        if !started.process.isRunning { break }
        usleep(5_000)
    }
    let run = started.wait()
    while true {   // what was written just before the exit
        let n = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return (run, String(decoding: bytes, as: UTF8.self))
}
