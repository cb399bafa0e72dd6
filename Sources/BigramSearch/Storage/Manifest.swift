import Foundation

/// The small file that names an index's live segments (docs/FORMAT.md §Manifest). Replacing it
/// (write a temporary file, fsync, rename, fsync the directory) is the atomic commit.
///
/// ```
/// magic "BMAN", version u32, length u32, crc32c u32 of the JSON, then `length` bytes of JSON
/// ```
struct Manifest: Codable, Equatable {
    static let fileName = "MANIFEST"
    static let magic: [UInt8] = Array("BMAN".utf8)
    static let version: UInt32 = 1

    struct AnalyzerInfo: Codable, Equatable {
        var identifier: String
        /// Present when the analyzer is a ``BigramAnalyzer`` (it can then be rebuilt on open).
        var bigram: BigramAnalyzer.Options?
    }

    struct SegmentInfo: Codable, Equatable {
        var file: String
        var documents: Int
        /// Document numbers deleted from this segment.
        var deleted: [UInt32]
    }

    var generation: Int
    var schema: Schema
    var analyzer: AnalyzerInfo
    var segments: [SegmentInfo]

    func encoded() throws(StorageError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json: [UInt8]
        do { json = Array(try encoder.encode(self)) } catch { throw .io(path: Self.fileName, reason: "encoding manifest: \(error)") }
        var w = ByteWriter()
        w.bytes += Self.magic
        w.uint32(Self.version)
        w.uint32(UInt32(json.count))
        w.uint32(Checksum.crc32c(json))
        w.bytes += json
        return w.bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> Manifest {
        guard bytes.count >= 16 else { throw .corrupt(path: path, reason: "manifest is \(bytes.count) bytes (truncated)") }
        guard Array(bytes[0..<4]) == magic else { throw .corrupt(path: path, reason: "not a manifest (bad magic)") }
        let b = ByteBuffer(bytes)
        let version = b.uint32(at: 4)
        guard version == Self.version else { throw .unsupportedVersion(path: path, found: version, supported: Self.version) }
        let length = Int(b.uint32(at: 8))
        guard length == bytes.count - 16 else { throw .corrupt(path: path, reason: "manifest length \(length) does not match the file (truncated?)") }
        let json = Array(bytes[16...])
        guard Checksum.crc32c(json) == b.uint32(at: 12) else { throw .checksumMismatch(path: path) }
        do { return try JSONDecoder().decode(Manifest.self, from: Data(json)) } catch {
            throw .corrupt(path: path, reason: "manifest JSON: \(error)")
        }
    }
}
