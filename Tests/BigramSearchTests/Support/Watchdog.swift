import Foundation
import BigramSearch

// Ends a test process whose generated case hangs (CraftedDamageTests, FuzzTests).

/// Ends the process when one case runs longer than `limit` (a hang would otherwise stall the
/// test run): it prints the case to standard error and exits with status 3.
final class Watchdog: Sendable {
    private let current = Locked<(name: String, started: ContinuousClock.Instant?)>(("", nil))
    private let limit: Duration

    private let log: String?

    /// `log`: a file that gets each case's name before it runs (read it when the process crashed).
    init(limit: Duration, log: String? = nil) {
        self.limit = limit
        self.log = log
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.1)
                let (name, started) = current.withLock { $0 }
                if let started, ContinuousClock.now - started > limit {
                    FileHandle.standardError.write(Data("HANG: case \(name) ran longer than \(limit)\n".utf8))
                    if let log { try? Data("HANG: case \(name) ran longer than \(limit)\n".utf8).write(to: URL(fileURLWithPath: log)) }
                    exit(3)
                }
            }
        }
        thread.start()
    }

    /// Runs `body` as case `name`; returns its wall time.
    func run(_ name: @autoclosure () -> String, _ body: () -> Void) -> Duration {
        let start = ContinuousClock.now
        let name = name()
        current.withLock { $0 = (name, start) }
        if let log { try? Data("CASE: \(name)\n".utf8).write(to: URL(fileURLWithPath: log)) }
        body()
        current.withLock { $0.started = nil }
        return ContinuousClock.now - start
    }
}
