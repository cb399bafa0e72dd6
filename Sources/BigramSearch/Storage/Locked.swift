import Foundation

/// A value behind a pthread mutex (`NSLock`), used like `Synchronization.Mutex`.
///
/// Not `Mutex` itself: the project's concurrency tests run under Thread Sanitizer, which
/// understands pthread mutexes, while `Mutex`'s futex hand-over on Linux is not instrumented and
/// shows up as data races on the value it guards (CI failed on one in the invariant hook). The
/// library and its tests use no `Mutex`; the Analysis layer, below Storage, keeps its own `NSLock`
/// (WordBreakerPool), and atomics (`Synchronization.Atomic`) are fine.
package final class Locked<Value>: @unchecked Sendable {   // `value` is only touched under `lock`
    private let lock = NSLock()
    private var value: Value

    package init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock.
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
