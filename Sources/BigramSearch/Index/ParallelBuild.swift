import Dispatch
import Foundation

/// Runs independent pieces of work on several threads and collects their results in order.
enum ParallelBuild {
    static func run<T: Sendable>(count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = Results<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            results.set(i, body(i))
        }
        return results.values.map { $0! }
    }

    /// Result slots guarded by a pthread mutex (NSLock), which Thread Sanitizer understands.
    private final class Results<T: Sendable>: @unchecked Sendable {   // every access holds `lock`
        private let lock = NSLock()
        private var slots: [T?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: T) { lock.withLock { slots[i] = value } }
        var values: [T?] { lock.withLock { slots } }
    }
}
