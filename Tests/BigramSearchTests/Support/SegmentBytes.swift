@testable import BigramSearch
import Foundation

// Bytes of index files for the tests that damage them: reading and writing whole files,
// little-endian fields, and a segment file's section table (docs/FORMAT.md §Segment file).

func readBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

/// Overwrites (or creates) a file. Plain stdio, without the fsync of `Data.write`, to keep the
/// hundreds of damage cases fast.
func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    guard let f = fopen(path, "wb") else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    guard fclose(f) == 0, written == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
}

func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}
func u64(_ b: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(b, at)) | UInt64(u32(b, at + 4)) << 32 }
func setU32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
}
func setU64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) {
    for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
}

// MARK: - Segment images

/// One section of a segment file, from its section table.
struct SectionInfo: Sendable {
    var index: Int
    var kind: UInt32
    var field: UInt32
    var offset: Int
    var length: Int
    var tableEntryOffset: Int { 24 + 32 * index }
    var kindName: String { SegmentFile.Kind(rawValue: kind).map { "\($0)" } ?? "kind\(kind)" }
    /// Stored text and ids (another engineer's readers; see CraftedDamageTests).
    var isStoredText: Bool { kind >= 1 && kind <= 4 }
}

/// The bytes of a segment file and its section table.
struct SegmentImage: Sendable {
    var path: String
    var bytes: [UInt8]

    var sections: [SectionInfo] {
        let count = Int(Self.u32(bytes, 8))
        return (0..<count).map { i in
            let at = 24 + 32 * i
            return SectionInfo(index: i, kind: Self.u32(bytes, at), field: Self.u32(bytes, at + 4),
                               offset: Int(Self.u64(bytes, at + 8)), length: Int(Self.u64(bytes, at + 16)))
        }
    }

    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 { BigramSearchTests.u32(b, at) }
    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { BigramSearchTests.u64(b, at) }
    static func setU32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) { BigramSearchTests.setU32(&b, at, v) }
    static func setU64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) { BigramSearchTests.setU64(&b, at, v) }

    /// `file` with its section of `kind`/`field` changed by `transform` (same length), the
    /// section's and the table's CRC recomputed; nil when there is no such section.
    static func withSection(_ file: [UInt8], kind: UInt32, field: UInt32, _ transform: (inout [UInt8]) -> Void) -> [UInt8]? {
        var b = file
        guard let s = SegmentImage(path: "", bytes: b).sections.first(where: { $0.kind == kind && $0.field == field }) else { return nil }
        var content = Array(b[s.offset..<(s.offset + s.length)])
        transform(&content)
        precondition(content.count == s.length)
        b.replaceSubrange(s.offset..<(s.offset + s.length), with: content)
        recomputeChecksums(&b)
        return b
    }

    /// Recomputes every section's CRC (and chunk CRCs) and the table's: the file passes every
    /// checksum, as one written by a faulty or hostile writer would.
    static func recomputeChecksums(_ b: inout [UInt8]) {
        let count = Int(u32(b, 8))
        let tableEnd = 24 + 32 * count
        guard count < 1 << 16, tableEnd + 8 <= b.count else { return }
        // Format 4 on: the chunk checksums of every other section, in table order, rewritten in
        // place when they still fit (a section whose length was changed may leave them not).
        let sections = SegmentImage(path: "", bytes: b).sections
        if u32(b, 4) >= 4, let table = sections.first(where: { $0.kind == SegmentFile.Kind.chunkChecksums.rawValue }),
           table.offset <= b.count, table.length <= b.count - table.offset {
            var chunks = ByteWriter()
            for s in sections where s.index != table.index && s.offset <= b.count && s.length <= b.count - s.offset {
                // The CRC-32C of each 64 KiB of the section (docs/FORMAT.md §Chunk checksums).
                var start = s.offset
                while start < s.offset + s.length {
                    chunks.uint32(Checksum.crc32c(b, start..<min(s.offset + s.length, start + SectionChecksum.chunkSize), seed: 0))
                    start += SectionChecksum.chunkSize
                }
            }
            if chunks.count == table.length { b.replaceSubrange(table.offset..<(table.offset + table.length), with: chunks.bytes) }
        }
        for i in 0..<count {
            let at = 24 + 32 * i
            let offset = Int(clamping: u64(b, at + 8)), length = Int(clamping: u64(b, at + 16))
            guard offset <= b.count, length <= b.count - offset else { continue }
            setU32(&b, at + 24, Checksum.crc32c(Array(b[offset..<(offset + length)])))
        }
        setU32(&b, tableEnd, Checksum.crc32c(Array(b[0..<tableEnd])))
    }
}

