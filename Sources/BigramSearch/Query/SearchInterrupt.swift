import Synchronization

/// Stops a running search: on a deadline (``SearchOptions/timeLimit``) or when its task is
/// cancelled. The evaluation loops poll ``shouldStop()`` every few hundred documents, so a
/// pathological query on a large index ends within about a millisecond of the signal.
final class SearchInterrupt: Sendable {
    private let deadline: ContinuousClock.Instant?
    private let cancelled = Atomic<Bool>(false)
    private let expired = Atomic<Bool>(false)

    init(timeLimit: Duration?) {
        deadline = timeLimit.map { ContinuousClock.now.advanced(by: $0) }
    }

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// True once the search should end (then it keeps returning true).
    func shouldStop() -> Bool {
        if cancelled.load(ordering: .relaxed) || expired.load(ordering: .relaxed) { return true }
        if let deadline, ContinuousClock.now >= deadline {
            expired.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// The error to throw when the search was stopped, or nil when it ran to the end.
    var error: SearchError? {
        if cancelled.load(ordering: .relaxed) { return .cancelled }
        if expired.load(ordering: .relaxed) { return .timeLimitExceeded }
        return nil
    }
}
