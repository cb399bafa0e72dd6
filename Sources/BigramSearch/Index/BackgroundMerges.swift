import Foundation

/// The merges an ``IndexWriter`` runs beside its own thread, each on a thread of its own, and
/// what they produced. The writer starts a merge with the segments it merges (immutable, so
/// the merge reads them while the writer goes on), and later takes the finished ones back —
/// without waiting (``takeFinished()``), or waiting for one or for all — to put their results
/// in place on its own thread. Nothing here touches the writer's state.
///
/// A merge thread runs with the system calls of the thread that started it (the storage layer's
/// ``SystemCallsContext`` is task-local, and a thread does not inherit it), so a test's injected
/// faults reach the merges it causes.
final class BackgroundMerges: @unchecked Sendable {   // every access to the state holds `condition`
    /// A finished merge.
    struct Outcome: Sendable {
        /// The number ``start(_:_:)`` was given.
        var id: Int
        var result: Result<Segment, StorageError>
        /// Time the merge took on its thread.
        var seconds: Double
    }

    // NSCondition (a pthread mutex and condition variable): Thread Sanitizer understands it.
    private let condition = NSCondition()
    private var running = 0
    private var finished: [Outcome] = []

    /// Starts `work` on a new thread; its outcome is kept under `id`.
    func start(_ id: Int, _ work: @escaping @Sendable () throws(StorageError) -> Segment) {
        condition.withLock { running += 1 }
        let calls = SystemCallsContext.current
        let thread = Thread { [self] in
            let started = ContinuousClock.now
            let result = withSystemCalls(calls) { Result { () throws(StorageError) in try work() } }
            let d = ContinuousClock.now - started
            let outcome = Outcome(id: id, result: result,
                                  seconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
            condition.withLock {
                finished.append(outcome)
                running -= 1
                condition.broadcast()
            }
        }
        thread.name = "BigramSearch merge \(id)"
        thread.start()
    }

    /// The merges finished since the last call, without waiting.
    func takeFinished() -> [Outcome] {
        condition.withLock { defer { finished = [] }; return finished }
    }

    /// Waits until a merge has finished (returns at once when none runs), then returns every
    /// finished one.
    func waitForAny() -> [Outcome] {
        condition.withLock {
            while finished.isEmpty && running > 0 { condition.wait() }
            defer { finished = [] }
            return finished
        }
    }

    /// Waits until no merge runs, then returns every finished one.
    func waitForAll() -> [Outcome] {
        condition.withLock {
            while running > 0 { condition.wait() }
            defer { finished = [] }
            return finished
        }
    }
}

/// Where a background merge is, for ``IndexWriter``'s test hook.
package enum BackgroundMergeStage: Sendable {
    /// On its thread, before it reads anything.
    case starting
    /// Its segment is made (written and renamed into place, with a directory), not taken in yet.
    case made
}
