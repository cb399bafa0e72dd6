import Synchronization

/// Hands out ICU word break iterators, one per concurrent caller. ICU iterators are not
/// thread-safe; cloning one costs a few microseconds, so clones are kept for reuse.
final class WordBreakerPool: Sendable {
    private let template: WordBreaker
    private let kind: WordBreaker.Kind
    private let free = Mutex<[WordBreaker]>([])

    init(_ kind: WordBreaker.Kind) throws(AnalysisError) {
        self.kind = kind
        template = try WordBreaker.make(kind)
    }

    /// Runs `body` with an iterator nobody else is using.
    func withBreaker<R>(_ body: (WordBreaker) -> R) -> R {
        let breaker = free.withLock { $0.popLast() } ?? template.clone() ?? (try? WordBreaker.make(kind))
        guard let breaker else { preconditionFailure("ICU could not clone a word break iterator (out of memory)") }
        defer { free.withLock { if $0.count < 64 { $0.append(breaker) } } }
        return body(breaker)
    }
}
