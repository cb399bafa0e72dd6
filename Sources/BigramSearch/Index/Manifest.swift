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
    /// 2: `previous` added (files kept for readers of the previous commit). Version 1 manifests
    /// name segment files of version 1, which this library does not read either.
    /// 3: the schema may have typed fields (`kind`), and names segment files of version 3 or 4
    /// (an older library must not read typed fields as text; one that reads version 3 refuses
    /// version 4 segment files with their version). Versions 2 and 3 are read.
    static let version: UInt32 = 3
    static let oldestReadVersion: UInt32 = 2
    static let temporaryFileName = "MANIFEST.tmp"

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
    /// Segment files of the previous commit that this one no longer names: kept until the next
    /// commit, because a reader may have read the previous manifest and not mapped them yet.
    var previous: [String] = []

    /// Every segment file this commit keeps on disk (its own and the previous commit's).
    var keptFiles: Set<String> { Set(segments.map(\.file)).union(previous) }

    func encoded() throws(StorageError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json: [UInt8]
        do { json = Array(try encoder.encode(self)) } catch { throw .io(path: Self.fileName, reason: "encoding manifest: \(error)") }
        return Self.framed(json)
    }

    /// The manifest file for `json`: magic, version, length and CRC-32C, then the JSON.
    static func framed(_ json: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.bytes += magic
        w.uint32(version)
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
        guard version >= Self.oldestReadVersion && version <= Self.version else {
            throw .unsupportedVersion(path: path, found: version, supported: Self.version)
        }
        let length = Int(b.uint32(at: 8))
        guard length == bytes.count - 16 else { throw .corrupt(path: path, reason: "manifest length \(length) does not match the file (truncated?)") }
        let json = Array(bytes[16...])
        guard Checksum.crc32c(json) == b.uint32(at: 12) else { throw .checksumMismatch(path: path) }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(json)) } catch {
            throw .corrupt(path: path, reason: "manifest JSON: \(error)")
        }
        try manifest.validate(path: path)
        return manifest
    }

    /// Checks what the JSON cannot: names of this library's segment files only (a manifest never
    /// leads a reader or a writer outside its directory), each once, sane counts.
    func validate(path: String) throws(StorageError) {
        func corrupt(_ why: String) -> StorageError { .corrupt(path: path, reason: why) }
        guard generation >= 0 else { throw corrupt("generation \(generation)") }
        var seen = Set<String>()
        for info in segments {
            guard IndexFiles.isSegmentFile(info.file) else { throw corrupt("names \"\(info.file)\", not a segment file") }
            guard seen.insert(info.file).inserted else { throw corrupt("names \(info.file) twice") }
            guard info.documents >= 0, info.documents <= Int(UInt32.max) else { throw corrupt("\(info.file) has \(info.documents) documents") }
            guard info.deleted.allSatisfy({ Int($0) < info.documents }) else { throw corrupt("\(info.file): a deleted document is out of range") }
        }
        for file in previous where !IndexFiles.isSegmentFile(file) { throw corrupt("names \"\(file)\", not a segment file") }
        do { try schema.validate() } catch { throw corrupt("\(error)") }
    }
}
