import Synchronization

/// Stops a running search: on a deadline (``SearchOptions/timeLimit``) or when its task is
/// cancelled. Evaluation polls ``shouldStop()`` between subqueries, every 8 dictionary entries
/// of a one-character union, every 1,024 postings and every 256 phrase candidates, and once at
/// the end; a search that overran fails even if it finished. The remaining unpolled stretches
/// (one posting list of up to 1,024 documents per union entry, ranking) take well under a
/// millisecond on a 20,000-document index.
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
