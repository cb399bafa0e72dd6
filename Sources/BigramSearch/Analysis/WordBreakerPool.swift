import Foundation

/// Hands out ICU word break iterators, one per concurrent caller. ICU iterators are not
/// thread-safe; cloning one costs a few microseconds, so clones are kept for reuse.
final class WordBreakerPool: Sendable {
    private let template: WordBreaker
    private let kind: WordBreaker.Kind
    // NSLock (a pthread mutex) rather than Synchronization.Mutex: Thread Sanitizer understands
    // it, while Mutex's futex hand-over on Linux shows up as false data races.
    private let lock = NSLock()
    nonisolated(unsafe) private var free: [WordBreaker] = []   // guarded by `lock`

    init(_ kind: WordBreaker.Kind) throws(AnalysisError) {
        self.kind = kind
        template = try WordBreaker.make(kind)
    }

    /// Runs `body` with an iterator nobody else is using.
    func withBreaker<R>(_ body: (WordBreaker) -> R) -> R {
        let breaker = lock.withLock { free.popLast() } ?? template.clone() ?? (try? WordBreaker.make(kind))
        guard let breaker else { preconditionFailure("ICU could not clone a word break iterator (out of memory)") }
        defer { lock.withLock { if free.count < 64 { free.append(breaker) } } }
        return body(breaker)
    }
}
