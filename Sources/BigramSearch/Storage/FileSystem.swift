#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CChecksum

/// Every file operation of the storage layer (open, write, fsync, rename, mmap, locks) lives in
/// this file, behind throwing Swift functions that name the path concerned. The system calls
/// themselves go through ``SystemCallsContext/current``, the seam where tests inject failures.
///
/// Unsafe code: C interop only — a directory entry's name read from its C array, the memory of
/// ``map(_:)`` (owned by a ``ByteStorage`` that unmaps it on deinit, so it lives exactly as long as
/// the buffers over it), and the CRC-32C C function given a buffer's bytes for one call.
enum FileSystem {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    private static var sys: any SystemCalls { SystemCallsContext.current }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Creates the directory `path` (its parent must exist). An existing directory is fine.
    static func makeDirectory(_ path: String) throws(StorageError) {
        if isDirectory(path) { return }
        if sys.mkdir(path, 0o755) != 0 && errno != EEXIST { throw .io(path: path, reason: "mkdir: \(errorText())") }
    }

    static func listDirectory(_ path: String) throws(StorageError) -> [String] {
        guard let dir = opendir(path) else { throw .io(path: path, reason: "opendir: \(errorText())") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Writes `bytes` to a new file at `path` and fsyncs it (the file must not be in use). Short
    /// writes are continued; on any failure the partial file is removed.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        let file = try OutputFile(creating: path)
        do {
            try file.append(bytes)
            try file.finish()
        } catch {
            file.abandon()
            throw error
        }
    }

    /// A new file written front to back through a buffer (a few bytes may be patched later, at
    /// offsets already written: a header completed last), then fsynced and closed by ``finish()``.
    /// Short writes are continued. On any failure the caller calls ``abandon()``, which removes
    /// the partial file (deinit does too, when neither was called).
    final class OutputFile {
        let path: String
        private var fd: Int32
        private var pending: [UInt8] = []
        /// Bytes written so far, buffered ones included (the offset of the next byte).
        private(set) var count = 0
        /// Buffered bytes before a write(2); larger pieces go straight from their buffer.
        private static let bufferSize = 1 << 20

        /// Creates (or truncates) the file at `path`.
        init(creating path: String) throws(StorageError) {
            self.path = path
            fd = sys.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 { throw .io(path: path, reason: "open: \(errorText())") }
            pending.reserveCapacity(Self.bufferSize)
        }

        deinit { if fd >= 0 { abandon() } }

        func append(_ bytes: [UInt8]) throws(StorageError) {
            if pending.count + bytes.count > Self.bufferSize { try flush() }
            if bytes.count >= Self.bufferSize {
                try writeAll(bytes.count) { sys.write(fd, bytes, from: $0) }
            } else {
                pending += bytes
            }
            count += bytes.count
        }

        /// Appends the bytes `range` of `buffer`.
        func append(_ buffer: ByteBuffer, _ range: Range<Int>) throws(StorageError) {
            if pending.count + range.count > Self.bufferSize { try flush() }
            if range.count >= Self.bufferSize {
                let piece = buffer.slice(range)
                try writeAll(range.count) { sys.write(fd, piece, from: $0) }
            } else {
                buffer.append(range, to: &pending)
            }
            count += range.count
        }

        /// Writes `bytes` over what was written at `offset` (they must lie before ``count``).
        func overwrite(_ bytes: [UInt8], at offset: Int) throws(StorageError) {
            precondition(offset >= 0 && offset + bytes.count <= count, "overwrite outside the written bytes")
            try flush()
            try writeAll(bytes.count) { sys.pwrite(fd, bytes, from: $0, at: offset) }
        }

        /// Writes what is buffered, fsyncs and closes the file.
        func finish() throws(StorageError) {
            try flush()
            if sys.fsync(fd) != 0 { throw .io(path: path, reason: "fsync: \(errorText())") }
            let rc = sys.close(fd)
            fd = -1
            if rc != 0 { throw .io(path: path, reason: "close: \(errorText())") }
        }

        /// Closes the file (if open) and removes it.
        func abandon() {
            if fd >= 0 { _ = sys.close(fd) }
            fd = -1
            _ = sys.unlink(path)
        }

        private func flush() throws(StorageError) {
            guard !pending.isEmpty else { return }
            try writeAll(pending.count) { sys.write(fd, pending, from: $0) }
            pending.removeAll(keepingCapacity: true)
        }

        /// Calls `write(done)` until `total` bytes are written (`write` returns what write(2) does).
        private func writeAll(_ total: Int, _ write: (Int) -> Int) throws(StorageError) {
            guard fd >= 0 else { throw .io(path: path, reason: "write: the file is closed") }
            var done = 0
            while done < total {
                let n = write(done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .io(path: path, reason: "write: \(errorText())")
                }
                if n == 0 { throw .io(path: path, reason: "write: no progress (\(done) of \(total) bytes)") }
                done += n
            }
        }
    }

    /// Reads a whole (small) file.
    static func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = sys.open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            if errno == ENOENT { throw .missingFile(path: path) }
            throw .io(path: path, reason: "open: \(errorText())")
        }
        defer { _ = sys.close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = sys.read(fd, into: &chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: "read: \(errorText())")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Atomically renames `from` over `to` (callers fsync the directory to make it durable).
    static func replace(_ from: String, with to: String) throws(StorageError) {
        if sys.rename(from, to) != 0 { throw .io(path: to, reason: "rename: \(errorText())") }
    }

    static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = sys.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        if fd < 0 { throw .io(path: path, reason: "open directory: \(errorText())") }
        defer { _ = sys.close(fd) }
        if sys.fsync(fd) != 0 && errno != EINVAL { throw .io(path: path, reason: "fsync directory: \(errorText())") }
    }

    /// Removes an empty directory; false when that failed.
    @discardableResult
    static func removeDirectory(_ path: String) -> Bool { rmdir(path) == 0 }

    /// Removes a file; false when that failed (a file already gone counts as removed).
    @discardableResult
    static func remove(_ path: String) -> Bool { sys.unlink(path) == 0 || errno == ENOENT }

    /// Memory-maps a whole file read-only. The mapping lives as long as the returned buffer (and
    /// every slice of it).
    static func map(_ path: String) throws(StorageError) -> ByteBuffer {
        let fd = sys.open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            if errno == ENOENT { throw .missingFile(path: path) }
            throw .io(path: path, reason: "open: \(errorText())")
        }
        defer { _ = sys.close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw .io(path: path, reason: "fstat: \(errorText())") }
        let size = Int(st.st_size)
        if size == 0 { return ByteBuffer() }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw .io(path: path, reason: "mmap: \(errorText())")
        }
        return ByteBuffer(storage: Mapping(p, size))
    }

    /// A read-only private mapping of a whole file, unmapped on deinit (so it lives as long as any
    /// ``ByteBuffer`` over it). The library never writes to a file it maps (segment files are
    /// written once under a new name), so the bytes do not change while mapped; another process
    /// truncating the file would make reads fault (SIGBUS), as with any mapping.
    private final class Mapping: ByteStorage, @unchecked Sendable {   // (read-only memory)
        private let pointer: UnsafeMutableRawPointer
        private let size: Int
        var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: size) }
        init(_ p: UnsafeMutableRawPointer, _ size: Int) { pointer = p; self.size = size }
        deinit { munmap(pointer, size) }
    }

    /// An exclusive `flock` on a file, held until ``FileLock/release()`` or deinit — or until the
    /// process dies: the kernel releases it then, so a crash never leaves a stale lock.
    final class FileLock: @unchecked Sendable {   // `fd` is only changed by release(), by the owner
        let path: String
        private var fd: Int32

        fileprivate init(path: String, fd: Int32) { self.path = path; self.fd = fd }

        func release() {
            guard fd >= 0 else { return }
            _ = SystemCallsContext.current.close(fd)   // closing the descriptor drops the lock
            fd = -1
        }

        deinit { release() }
    }

    /// Takes an exclusive lock on `path` (the file is created if missing). When another process
    /// (or another open descriptor in this one) holds it: waits up to `wait` (polling), then
    /// throws ``StorageError/locked(path:)``.
    static func lock(_ path: String, wait: Duration?) throws(StorageError) -> FileLock {
        let fd = sys.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io(path: path, reason: "open lock file: \(errorText())") }
        let deadline = wait.map { ContinuousClock.now + $0 }
        while true {
            if sys.flock(fd, LOCK_EX | LOCK_NB) == 0 { return FileLock(path: path, fd: fd) }
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK || code == EAGAIN else {
                _ = sys.close(fd)
                throw .io(path: path, reason: "flock: \(errorText(code))")
            }
            guard let deadline, ContinuousClock.now < deadline else {
                _ = sys.close(fd)
                throw .locked(path: path)
            }
            usleep(10_000)
        }
    }
}

/// CRC-32C of index bytes.
enum Checksum {
    static func crc32c(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { bs_crc32c(seed, $0.baseAddress, $0.count) }
    }

    /// The CRC-32C of `bytes[range]` (which must lie inside), continuing `seed`.
    static func crc32c(_ bytes: [UInt8], _ range: Range<Int>, seed: UInt32) -> UInt32 {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "checksum range out of bounds")
        return bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, !range.isEmpty else { return seed }
            return bs_crc32c(seed, base + range.lowerBound, range.count)
        }
    }

    /// The CRC-32C of the bytes `range` of `buffer`; `seed` continues a CRC of the bytes before
    /// them (0 for none).
    static func crc32c(_ buffer: ByteBuffer, _ range: Range<Int>, seed: UInt32 = 0) -> UInt32 {
        buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, range.lowerBound >= 0, range.upperBound <= raw.count else { return seed }
            return bs_crc32c(seed, base + range.lowerBound, range.count)
        }
    }
}

/// The process's heap, as the C library keeps it.
enum Heap {
    /// Gives the free pages of every malloc arena back to the system (glibc's `malloc_trim`;
    /// nothing elsewhere). glibc gives each thread that allocates an arena of its own and keeps a
    /// thread's freed memory in it: a writer's background flushes and merges each left their
    /// peak in their arenas, on top of the buffers in the adding thread's, and a bulk load of ×100
    /// the open corpus held 281 MB of anonymous memory above the corpus instead of 205 MB with one
    /// arena (`MALLOC_ARENA_MAX=1`, the same run otherwise; Benchmarks/README.md). A background
    /// job of the writer calls this when it ends, and a multi-threaded ``IndexWriter`` add after
    /// its threads' segments are built — never a search (it walks every arena).
    static func releaseFreeMemory() { _ = trim?(0) }

    /// glibc's `malloc_trim`, looked up once (the Glibc module does not export malloc.h; nil
    /// with another C library).
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
