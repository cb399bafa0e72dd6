/// Reads what ``ByteWriter`` wrote. Reads are bounds-checked against the buffer; a malformed buffer
/// yields garbage values, never an out-of-bounds access (readers validate what they decode).
///
/// A reader holds its ``ByteBuffer`` (and so keeps the bytes alive) however long it lives.
struct ByteReader {
    let bytes: ByteBuffer
    var offset: Int

    init(_ bytes: ByteBuffer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    @inline(__always) mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always) mutating func varint() -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count && shift < 64 {
            let b = bytes[offset]
            offset += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
        return result
    }

    mutating func uint32() -> UInt32 { defer { offset += 4 }; return bytes.uint32(at: offset) }
    mutating func uint64() -> UInt64 { defer { offset += 8 }; return bytes.uint64(at: offset) }
}
