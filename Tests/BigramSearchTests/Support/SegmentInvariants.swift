@testable import BigramSearch
import Testing

// The writer's invariant hook (`IndexWriter.onInvariantViolation`), switched on for the whole
// test run: every segment a writer builds or merges in any test is then checked whole
// (`Segment.checkInvariants(deleted:)`), and a violation fails the test that made the segment.
//
// Every suite carries the trait (`@Suite(.checksSegmentInvariants)`; SegmentInvariantTests checks
// that none lacks it): the first suite to start switches the hook on for the rest of the run.

/// Switches the invariant hook on (once for the process) before the tests it is applied to run.
struct ChecksSegmentInvariants: SuiteTrait, TestTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        SegmentInvariants.switchOn()
        try await function()
    }
}

extension Trait where Self == ChecksSegmentInvariants {
    /// Every segment that a writer builds or merges during these tests is checked whole; a
    /// violation is an issue of the test.
    static var checksSegmentInvariants: Self { Self() }
}

/// What the hook found.
enum SegmentInvariants {
    /// Every violation reported so far in this process, in order.
    static var violations: [String] { recorded.withLock { $0 } }

    private static let recorded = Locked<[String]>([])

    /// Installs the hook: each violation is kept in ``violations`` and recorded as an issue —
    /// of the running test (`Issue.record` finds it from the task), or of the run when a
    /// thread outside any test made the segment.
    static func switchOn() {
        _ = installed
    }

    private static let installed: Void = {
        IndexWriter.onInvariantViolation = { violation in
            recorded.withLock { $0.append(violation) }
            Issue.record(Comment(rawValue: "segment invariant violated: \(violation)"))
        }
    }()
}
