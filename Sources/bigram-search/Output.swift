#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure that ends the command: a message for standard error and the exit status.
///
/// Exit statuses: 0 success; 1 a runtime failure (I/O, a damaged index, a bad corpus line, a
/// held lock, a path that is not an index); 2 a usage error or a query syntax error.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}

/// Standard output or standard error, written with `write(2)`: every failed write (a full disk,
/// `/dev/full`, an I/O error) throws a ``CLIError`` instead of being lost or crashing, and the
/// failure is sticky (later writes throw too). Standard output is buffered and flushed when the
/// buffer fills and when the command ends; standard error is written at once.
///
/// A closed pipe still ends the process with SIGPIPE, as for any Unix tool (`| head`).
final class OutputFile: @unchecked Sendable {   // used by the one thread of the command
    let fd: Int32
    let name: String
    private let bufferLimit: Int
    private var buffer: [UInt8] = []
    private(set) var failure: CLIError?

    init(fd: Int32, name: String, bufferLimit: Int) {
        self.fd = fd
        self.name = name
        self.bufferLimit = bufferLimit
    }

    /// Whether this descriptor is a terminal.
    var isTerminal: Bool { isatty(fd) == 1 }

    func write(_ text: String) throws(CLIError) {
        if let failure { throw failure }
        buffer.append(contentsOf: text.utf8)
        if buffer.count > bufferLimit { try flush() }
    }

    /// Writes `text` and a newline.
    func line(_ text: String = "") throws(CLIError) { try write(text + "\n") }

    /// Writes out the buffer.
    func flush() throws(CLIError) {
        if let failure { throw failure }
        var written = 0
        while written < buffer.count {
            let n = buffer.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = CLIError("cannot write to \(name): \(String(cString: strerror(errno)))")
                failure = error
                buffer.removeAll()
                throw error
            }
            written += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }

/// Standard output (buffered).
let stdoutFile = OutputFile(fd: 1, name: "standard output", bufferLimit: 1 << 16)
/// Standard error (unbuffered).
let stderrFile = OutputFile(fd: 2, name: "standard error", bufferLimit: 0)

/// Prints a line to standard output.
func say(_ text: String = "") throws(CLIError) { try stdoutFile.line(text) }

/// Prints a line to standard error.
func warn(_ text: String) throws(CLIError) { try stderrFile.line(text) }

/// Reads all of standard input with `read(2)`.
func readStandardInput() throws(CLIError) -> [UInt8] {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw CLIError("cannot read standard input: \(String(cString: strerror(errno)))")
        }
        if n == 0 { return out }
        out.append(contentsOf: chunk[0..<n])
    }
}

/// `s` as a JSON string literal (quotes included), escaping what JSON requires.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029:
            let hex = String(u.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}
