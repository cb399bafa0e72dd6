import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress line on stderr for long phases. Quiet for the first second of a phase, so short
/// runs (the seeds) print nothing; then it updates in place on a terminal (a few times a
/// second) or prints a line every few seconds when stderr is a file or pipe.
final class Progress {
    private let label: String
    private let start = Stopwatch.now()
    private var lastPrint: Double = 0
    private var printed = false
    private static let isTerminal = isatty(2) != 0

    init(_ label: String) { self.label = label }

    /// Reports that `done` of `total` units are finished.
    func update(_ done: Int, of total: Int) {
        let elapsed = Stopwatch.seconds(since: start)
        guard elapsed >= 1 else { return }
        let interval = Self.isTerminal ? 0.25 : 5
        guard elapsed - lastPrint >= interval || done == total else { return }
        lastPrint = elapsed
        printed = true
        let line = "\(label): \(done)/\(total) (\(Int(elapsed)) s)"
        write(Self.isTerminal ? "\r\(line)\u{1B}[K" : line + "\n")
    }

    /// Ends the line, if one was printed.
    func finish() {
        if printed && Self.isTerminal { write("\n") }
        printed = false
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
