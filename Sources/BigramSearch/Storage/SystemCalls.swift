#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls of the storage layer, as one narrow interface: ``FileSystem`` makes every call
/// through ``current``, so tests can replace it (``withSystemCalls(_:_:)``) to inject failures —
/// a full disk, an I/O error on fsync, a short write, a failed rename — exactly where the kernel
/// would report them. Each call returns what the C call returns and sets `errno` the same way.
///
/// Unsafe code: C interop only. `read` and `write` take the raw pointers of read(2) and
/// write(2); the library calls them only through ``SystemCalls/read(_:into:)`` and
/// ``SystemCalls/write(_:_:from:)`` below, which pass an array's storage for the duration of the
/// call and at most its count.
package protocol SystemCalls: Sendable {
    func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32
    func close(_ fd: Int32) -> Int32
    func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int
    func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int
    /// `pwrite(2)`: writes at `offset` without moving the file position (a header patched last).
    func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ offset: Int) -> Int
    func fsync(_ fd: Int32) -> Int32
    func rename(_ from: String, _ to: String) -> Int32
    func unlink(_ path: String) -> Int32
    func mkdir(_ path: String, _ mode: mode_t) -> Int32
    /// `flock(2)`: whole-file advisory locks, released by the kernel when the process dies.
    func flock(_ fd: Int32, _ operation: Int32) -> Int32
}

extension SystemCalls {
    /// read(2) into `buffer`, at most `buffer.count` bytes from its start: what `read` returns.
    package func read(_ fd: Int32, into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { b in b.baseAddress.map { read(fd, $0, b.count) } ?? 0 }
    }

    /// write(2) of the bytes of `bytes` from `offset` to the end: what `write` returns.
    package func write(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> Int {
        precondition(offset >= 0 && offset <= bytes.count, "write offset out of bounds")
        return bytes.withUnsafeBytes { b in b.baseAddress.map { write(fd, $0 + offset, b.count - offset) } ?? 0 }
    }

    /// pwrite(2) of the bytes of `bytes` from `offset` to the end, where `bytes[0]` belongs at file
    /// offset `position`: what `pwrite` returns.
    package func pwrite(_ fd: Int32, _ bytes: [UInt8], from offset: Int, at position: Int) -> Int {
        precondition(offset >= 0 && offset <= bytes.count, "write offset out of bounds")
        return bytes.withUnsafeBytes { b in b.baseAddress.map { pwrite(fd, $0 + offset, b.count - offset, position + offset) } ?? 0 }
    }

    /// write(2) of the bytes of `buffer` from `offset` to the end: what `write` returns.
    func write(_ fd: Int32, _ buffer: ByteBuffer, from offset: Int) -> Int {
        precondition(offset >= 0 && offset <= buffer.count, "write offset out of bounds")
        return buffer.withUnsafeBytes(in: offset..<buffer.count) { b in b.baseAddress.map { write(fd, $0, b.count) } ?? 0 }
    }
}

/// The real calls.
package struct POSIXSystemCalls: SystemCalls {
    package init() {}
    package func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { openFile(path, flags, mode) }
    package func close(_ fd: Int32) -> Int32 { closeFile(fd) }
    package func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { readFile(fd, buffer, count) }
    package func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { writeFile(fd, buffer, count) }
    package func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ offset: Int) -> Int {
        writeFile(fd, buffer, count, at: offset)
    }
    package func fsync(_ fd: Int32) -> Int32 { syncFile(fd) }
    package func rename(_ from: String, _ to: String) -> Int32 { renameFile(from, to) }
    package func unlink(_ path: String) -> Int32 { unlinkFile(path) }
    package func mkdir(_ path: String, _ mode: mode_t) -> Int32 { makeDirectory(path, mode) }
    package func flock(_ fd: Int32, _ operation: Int32) -> Int32 { lockFile(fd, operation) }
}

// The C functions under other names (inside the struct their own names would resolve to the methods).
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func closeFile(_ fd: Int32) -> Int32 { close(fd) }
private func readFile(_ fd: Int32, _ b: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, b, n) }
private func writeFile(_ fd: Int32, _ b: UnsafeRawPointer, _ n: Int) -> Int { write(fd, b, n) }
private func writeFile(_ fd: Int32, _ b: UnsafeRawPointer, _ n: Int, at offset: Int) -> Int { pwrite(fd, b, n, off_t(offset)) }
private func syncFile(_ fd: Int32) -> Int32 { fsync(fd) }
private func renameFile(_ from: String, _ to: String) -> Int32 { rename(from, to) }
private func unlinkFile(_ path: String) -> Int32 { unlink(path) }
private func makeDirectory(_ path: String, _ mode: mode_t) -> Int32 { mkdir(path, mode) }
private func lockFile(_ fd: Int32, _ operation: Int32) -> Int32 { flock(fd, operation) }

/// The system calls in force for the current task (``POSIXSystemCalls`` unless a test replaced them).
package enum SystemCallsContext {
    @TaskLocal package static var current: any SystemCalls = POSIXSystemCalls()
}

/// Runs `body` with `calls` as the storage layer's system calls (in this task and the tasks it
/// creates; other tasks keep theirs, so tests that inject faults can run in parallel).
package func withSystemCalls<R>(_ calls: any SystemCalls, _ body: () throws -> R) rethrows -> R {
    try SystemCallsContext.$current.withValue(calls, operation: body)
}
