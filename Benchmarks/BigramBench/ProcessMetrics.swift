import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory use of this process and facts about the machine.
enum ProcessMetrics {
    /// Peak resident set size so far (getrusage `ru_maxrss`), in bytes.
    static func peakRSS() -> Int {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024   // kilobytes on Linux
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss)          // bytes on macOS
        #endif
    }

    /// Current resident set size in bytes (from /proc/self/statm on Linux; nil elsewhere).
    static func currentRSS() -> Int? {
        #if os(Linux)
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    /// The CPU model name (`lscpu`'s "Model name"), or "unknown".
    static func cpuModel() -> String {
        #if os(Linux)
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for line in info.split(separator: "\n") where line.hasPrefix("model name") {
                if let colon = line.firstIndex(of: ":") {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        #endif
        return "unknown"
    }

    /// The 1-minute load average: well above 0 means other work shared the cores during the run.
    static func loadAverage() -> Double? {
        var load = [Double](repeating: 0, count: 1)
        return getloadavg(&load, 1) == 1 ? load[0] : nil
    }

    /// Logical cores available to this process.
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Total size of the regular files under `path` (recursively), or nil if it cannot be read.
    static func directorySize(_ path: String) -> Int? {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return nil }
        var total = 0
        for case let name as String in walker {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                total += (attributes?[.size] as? NSNumber)?.intValue ?? 0
            }
        }
        return total
    }

    /// A new empty directory under the system temporary directory.
    static func makeTemporaryDirectory(prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
