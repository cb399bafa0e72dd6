import Foundation
import Synchronization

/// The CRC-32C of one section of a memory-mapped segment file, verified the first time the
/// section is used rather than when the file is opened: opening stays O(1) in the index size
/// (headers only), and no byte of a section is interpreted before its checksum has passed.
///
/// A section may also have a CRC-32C per ``chunkSize`` bytes (files of format 4 on,
/// docs/FORMAT.md §Chunk checksums): then ``verify(_:)`` checks only the chunks a reader is about
/// to read — a query on a large index verifies the kilobytes it touches, not the whole postings
/// and stored text — and ``verify()`` the whole section.
final class SectionChecksum: Sendable {
    /// Bytes covered by one chunk checksum.
    static let chunkSize = 64 << 10

    let path: String
    private let bytes: ByteBuffer
    private let expected: UInt32
    /// u32 CRC-32C of each chunk (empty: the file has none; ranges are verified whole).
    private let chunks: ByteBuffer
    /// 0: not verified yet, 1: intact, 2: damaged.
    private let state = Atomic<UInt8>(0)
    /// The same per chunk (only when there are chunk checksums).
    private let chunkStates: Locked<[UInt8]>

    init(path: String, bytes: ByteBuffer, expected: UInt32, chunks: ByteBuffer = ByteBuffer()) {
        self.path = path
        self.bytes = bytes
        self.expected = expected
        self.chunks = chunks
        chunkStates = Locked([UInt8](repeating: 0, count: chunks.count / 4))
    }

    /// The number of chunk checksums a section of `length` bytes has.
    static func chunkCount(_ length: Int) -> Int { (length + chunkSize - 1) / chunkSize }

    /// Whether ranges are verified chunk by chunk (else ``verify(_:)`` verifies the whole section).
    var hasChunks: Bool { chunks.count > 0 }

    /// The chunks verified intact so far (for tests and the benchmark).
    package var verifiedChunks: [Int] { chunkStates.withLock { states in states.indices.filter { states[$0] == 1 } } }
    /// The number of chunks.
    package var chunkCount: Int { chunks.count / 4 }

    /// Throws ``StorageError/checksumMismatch(path:)`` when the section is damaged. Cheap after
    /// the first call (one atomic load); concurrent first calls may both compute the CRC.
    func verify() throws(StorageError) {
        switch state.load(ordering: .acquiring) {
        case 1: return
        case 2: throw .checksumMismatch(path: path)
        default: break
        }
        let ok = Checksum.crc32c(bytes, 0..<bytes.count) == expected
        state.store(ok ? 1 : 2, ordering: .releasing)
        if !ok { throw .checksumMismatch(path: path) }
    }

    /// Verifies the chunks that hold the bytes `range` of the section (clamped to it), each once;
    /// the whole section when it has no chunk checksums.
    func verify(_ range: Range<Int>) throws(StorageError) {
        if state.load(ordering: .acquiring) == 1 { return }
        guard hasChunks else { try verify(); return }
        let lo = max(0, range.lowerBound), hi = min(bytes.count, range.upperBound)
        guard lo < hi else { return }
        let first = lo / Self.chunkSize, last = (hi - 1) / Self.chunkSize
        let ok = chunkStates.withLock { chunkStates -> Bool in
            for c in first...last where c < chunkStates.count {
                if chunkStates[c] == 0 {
                    let start = c * Self.chunkSize
                    let crc = Checksum.crc32c(bytes, start..<min(bytes.count, start + Self.chunkSize))
                    chunkStates[c] = crc == chunks.uint32(at: 4 * c) ? 1 : 2
                }
                if chunkStates[c] == 2 { return false }
            }
            return true
        }
        if !ok { throw .checksumMismatch(path: path) }
    }

    static func verify(_ checks: [SectionChecksum]) throws(StorageError) {
        for c in checks { try c.verify() }
    }
}
