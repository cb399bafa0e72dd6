#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CChecksum

/// Every system call of the storage layer (open, write, fsync, rename, mmap) lives in this file,
/// behind throwing Swift functions that name the path concerned.
enum FileSystem {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func makeDirectory(_ path: String) throws(StorageError) {
        if isDirectory(path) { return }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw .io(path: path, reason: "mkdir: \(errorText())") }
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

    /// Writes `bytes` to a new file at `path` and fsyncs it (the file must not be in use).
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io(path: path, reason: "open: \(errorText())") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: "write: \(errorText())")
            }
            written += n
        }
        if fsync(fd) != 0 { throw .io(path: path, reason: "fsync: \(errorText())") }
    }

    /// Reads a whole (small) file.
    static func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw .missingFile(path: path) }
            throw .io(path: path, reason: "open: \(errorText())")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
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
        if rename(from, to) != 0 { throw .io(path: to, reason: "rename: \(errorText())") }
    }

    static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw .io(path: path, reason: "open directory: \(errorText())") }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw .io(path: path, reason: "fsync directory: \(errorText())") }
    }

    static func remove(_ path: String) { unlink(path) }

    /// Memory-maps a whole file read-only. The mapping lives as long as the returned buffer (and
    /// every slice of it).
    static func map(_ path: String) throws(StorageError) -> ByteBuffer {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw .missingFile(path: path) }
            throw .io(path: path, reason: "open: \(errorText())")
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw .io(path: path, reason: "fstat: \(errorText())") }
        let size = Int(st.st_size)
        if size == 0 { return ByteBuffer() }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw .io(path: path, reason: "mmap: \(errorText())")
        }
        return ByteBuffer(owner: Mapping(p, size), base: UnsafeRawPointer(p), count: size)
    }

    /// Unmaps on deinit.
    private final class Mapping {
        let pointer: UnsafeMutableRawPointer
        let size: Int
        init(_ p: UnsafeMutableRawPointer, _ size: Int) { pointer = p; self.size = size }
        deinit { munmap(pointer, size) }
    }
}

/// CRC-32C of index bytes.
enum Checksum {
    static func crc32c(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { bs_crc32c(seed, $0.baseAddress, $0.count) }
    }

    static func crc32c(_ buffer: ByteBuffer, _ range: Range<Int>) -> UInt32 {
        buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, range.lowerBound >= 0, range.upperBound <= raw.count else { return 0 }
            return bs_crc32c(0, base + range.lowerBound, range.count)
        }
    }
}
