import Dispatch
import Synchronization

/// Runs independent pieces of work on several threads and collects their results in order.
enum ParallelBuild {
    static func run<T: Sendable>(count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = Mutex<[T?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let r = body(i)
            results.withLock { $0[i] = r }
        }
        return results.withLock { $0.map { $0! } }
    }
}
