import Synchronization

/// The CRC-32C of one section of a memory-mapped segment file, verified the first time the
/// section is used rather than when the file is opened: opening stays O(1) in the index size
/// (headers only), and no byte of a section is interpreted before its checksum has passed.
final class SectionChecksum: Sendable {
    let path: String
    private let bytes: ByteBuffer
    private let expected: UInt32
    /// 0: not verified yet, 1: intact, 2: damaged.
    private let state = Atomic<UInt8>(0)

    init(path: String, bytes: ByteBuffer, expected: UInt32) {
        self.path = path
        self.bytes = bytes
        self.expected = expected
    }

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

    static func verify(_ checks: [SectionChecksum]) throws(StorageError) {
        for c in checks { try c.verify() }
    }
}
