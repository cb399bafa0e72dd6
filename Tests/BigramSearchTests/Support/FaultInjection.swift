@testable import BigramSearch
import Foundation

/// System calls that fail on purpose: wraps the real ones (``POSIXSystemCalls``) and makes the
/// calls matching a rule return -1 with the rule's errno — or, for writes, write fewer bytes than
/// asked. (`pwrite` counts as a write.) Install it with `withSystemCalls(injector) { … }`: only the storage layer's calls in
/// that task see it.
final class FaultInjector: SystemCalls, @unchecked Sendable {   // mutable state under `lock`
    enum Operation: Sendable { case open, close, read, write, fsync, rename, unlink, mkdir, flock }

    struct Rule {
        var operation: Operation
        /// Which file (the path given to open, rename's source, or the path an fd was opened with).
        var path: @Sendable (String) -> Bool
        var error: Int32
        /// Matching calls let through before the rule starts failing.
        var skip = 0
        /// Failures at most (then the rule lets calls through again).
        var times = Int.max
    }

    private let real = POSIXSystemCalls()
    private let lock = NSLock()
    private var rules: [Rule]
    private var paths: [Int32: String] = [:]
    /// When set, every write writes at most this many bytes (short writes).
    private let maxWrite: Int?
    private(set) var failures = 0

    init(_ rules: [Rule] = [], maxWrite: Int? = nil) {
        self.rules = rules
        self.maxWrite = maxWrite
    }

    var failureCount: Int { lock.withLock { failures } }

    /// Whether a call of `operation` on `path` fails now (and with which errno).
    private func fault(_ operation: Operation, _ path: String?) -> Int32? {
        lock.withLock {
            for i in rules.indices where rules[i].operation == operation && rules[i].path(path ?? "") {
                if rules[i].skip > 0 { rules[i].skip -= 1; continue }
                guard rules[i].times > 0 else { continue }
                rules[i].times -= 1
                failures += 1
                return rules[i].error
            }
            return nil
        }
    }

    private func path(of fd: Int32) -> String? { lock.withLock { paths[fd] } }

    private func fail<T: BinaryInteger>(_ code: Int32) -> T {
        errno = code
        return -1
    }

    func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        if let e = fault(.open, path) { return fail(e) }
        let fd = real.open(path, flags, mode)
        if fd >= 0 { lock.withLock { paths[fd] = path } }
        return fd
    }

    func close(_ fd: Int32) -> Int32 {
        let p = path(of: fd)
        lock.withLock { _ = paths.removeValue(forKey: fd) }
        let rc = real.close(fd)   // the descriptor is released even when close reports an error
        if let e = fault(.close, p) { return fail(e) }
        return rc
    }

    func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        if let e = fault(.read, path(of: fd)) { return fail(e) }
        return real.read(fd, buffer, count)
    }

    func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        if let e = fault(.write, path(of: fd)) { return fail(e) }
        return real.write(fd, buffer, min(count, maxWrite ?? count))
    }

    func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ offset: Int) -> Int {
        if let e = fault(.write, path(of: fd)) { return fail(e) }
        return real.pwrite(fd, buffer, min(count, maxWrite ?? count), offset)
    }

    func fsync(_ fd: Int32) -> Int32 {
        if let e = fault(.fsync, path(of: fd)) { return fail(e) }
        return real.fsync(fd)
    }

    func rename(_ from: String, _ to: String) -> Int32 {
        if let e = fault(.rename, from) { return fail(e) }
        return real.rename(from, to)
    }

    func unlink(_ path: String) -> Int32 {
        if let e = fault(.unlink, path) { return fail(e) }
        return real.unlink(path)
    }

    func mkdir(_ path: String, _ mode: mode_t) -> Int32 {
        if let e = fault(.mkdir, path) { return fail(e) }
        return real.mkdir(path, mode)
    }

    func flock(_ fd: Int32, _ operation: Int32) -> Int32 {
        if let e = fault(.flock, path(of: fd)) { return fail(e) }
        return real.flock(fd, operation)
    }
}

extension FaultInjector.Rule {
    /// Fails `operation` on files whose name ends with `suffix`.
    static func on(_ operation: FaultInjector.Operation, suffix: String, error: Int32, skip: Int = 0, times: Int = .max) -> Self {
        .init(operation: operation, path: { $0.hasSuffix(suffix) }, error: error, skip: skip, times: times)
    }
}
