import Dispatch
import Foundation

/// Runs independent pieces of work on several threads and collects their results in order.
enum ParallelBuild {
    static func run<T: Sendable>(count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = Locked<[T?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let value = body(i)
            results.withLock { $0[i] = value }
        }
        return results.withLock { $0 }.map { $0! }
    }
}
