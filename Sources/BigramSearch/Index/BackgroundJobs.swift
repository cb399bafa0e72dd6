import Foundation

/// Work an ``IndexWriter`` runs beside its own thread — merges, and the flush of a full buffer —
/// each job on a thread of its own, and what the jobs produced. The writer starts a job with
/// what it needs (immutable segments, or a buffer it hands over), and later takes the finished
/// ones back — without waiting (``takeFinished()``), or waiting for one or for all — to put their
/// results in place on its own thread. Nothing here touches the writer's state.
///
/// A job's thread runs with the system calls of the thread that started it (the storage layer's
/// ``SystemCallsContext`` is task-local, and a thread does not inherit it), so a test's injected
/// faults reach the work it causes.
final class BackgroundJobs<Output: Sendable>: @unchecked Sendable {   // every access to the state holds `condition`
    /// A finished job.
    struct Outcome: Sendable {
        /// The number ``start(_:_:)`` was given.
        var id: Int
        var output: Output
        /// Time the job took on its thread.
        var seconds: Double
    }

    // NSCondition (a pthread mutex and condition variable): Thread Sanitizer understands it.
    private let condition = NSCondition()
    private var running = 0
    private var finished: [Outcome] = []

    /// Starts `work` on a new thread named `name`; its outcome is kept under `id`.
    func start(_ id: Int, name: String, _ work: @escaping @Sendable () -> Output) {
        condition.withLock { running += 1 }
        let calls = SystemCallsContext.current
        let thread = Thread { [self] in
            let started = ContinuousClock.now
            let output = withSystemCalls(calls) { work() }
            Heap.releaseFreeMemory()   // what the job freed, from its thread's arena (see Heap)
            let d = ContinuousClock.now - started
            let outcome = Outcome(id: id, output: output,
                                  seconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
            condition.withLock {
                finished.append(outcome)
                running -= 1
                condition.broadcast()
            }
        }
        thread.name = name
        thread.start()
    }

    /// Whether a job runs or waits to be taken.
    var isIdle: Bool { condition.withLock { running == 0 && finished.isEmpty } }

    /// The jobs finished since the last call, without waiting.
    func takeFinished() -> [Outcome] {
        condition.withLock { defer { finished = [] }; return finished }
    }

    /// Waits until a job has finished (returns at once when none runs), then returns every
    /// finished one.
    func waitForAny() -> [Outcome] {
        condition.withLock {
            while finished.isEmpty && running > 0 { condition.wait() }
            defer { finished = [] }
            return finished
        }
    }

    /// Waits until no job runs, then returns every finished one.
    func waitForAll() -> [Outcome] {
        condition.withLock {
            while running > 0 { condition.wait() }
            defer { finished = [] }
            return finished
        }
    }
}

/// Where a background merge or flush is, for ``IndexWriter``'s test hook.
package enum BackgroundStage: Sendable {
    /// A merge on its thread, before it reads anything.
    case mergeStarting
    /// A merge's segment is made (written and renamed into place, with a directory), not taken
    /// in yet.
    case mergeMade
    /// A flush on its thread, before it freezes the buffer.
    case flushStarting
}

/// A value its owner gives up to another thread, which alone uses it from then on (a buffer
/// handed to a background flush). Not `Sendable` by itself (it holds builders with unsafe
/// storage); the hand-over is what makes the transfer safe: the giver keeps no copy it uses.
struct HandedOver<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
