/// Little-endian integers, variable-length integers and bit streams over byte arrays: the
/// primitives of the postings and dictionary encodings (docs/FORMAT.md).
///
/// Bit streams (``BitWriter``) hold values of any width ≤ 32, least significant bit first. A value
/// at any bit offset is read with one unaligned 64-bit load (``ByteBuffer/bits(at:width:)``),
/// so buffers holding bit streams end with ``ByteWriter/tailPadding`` zero bytes.
///
/// No pointers here: readers go through ``ByteBuffer``'s bounds-checked reads.
struct ByteWriter {
    var bytes: [UInt8] = []

    /// Zero bytes appended after the last bit stream so 64-bit loads never read past the end.
    static let tailPadding = 8

    var count: Int { bytes.count }

    @inline(__always) mutating func byte(_ v: UInt8) { bytes.append(v) }

    @inline(__always) mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func overwrite(uint32 v: UInt32, at offset: Int) {
        for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
    }

    @inline(__always) mutating func uint32(_ v: UInt32) {
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) }
    }

    @inline(__always) mutating func uint64(_ v: UInt64) {
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * k))) }
    }

    /// Appends the bytes `range` of `buffer`.
    mutating func append(_ buffer: ByteBuffer, _ range: Range<Int>) { buffer.append(range, to: &bytes) }

    /// Appends all of `buffer`.
    mutating func append(_ buffer: ByteBuffer) { buffer.append(0..<buffer.count, to: &bytes) }

    mutating func padTail() { bytes.append(contentsOf: repeatElement(0, count: Self.tailPadding)) }

    /// The number of bits needed for `v` (0 for 0).
    @inline(__always) static func bitWidth(_ v: UInt32) -> Int { 32 - v.leadingZeroBitCount }

}

/// Appends values of any bit width (≤ 32) to a ``ByteWriter``, least significant bit first;
/// ``flush(into:)`` pads the last byte.
struct BitWriter {
    private var acc: UInt64 = 0
    private var filled = 0

    @inline(__always) mutating func write(_ value: UInt32, width: Int, into w: inout ByteWriter) {
        guard width > 0 else { return }
        acc |= UInt64(value) << UInt64(filled)
        filled += width
        while filled >= 8 {
            w.bytes.append(UInt8(truncatingIfNeeded: acc))
            acc >>= 8
            filled -= 8
        }
    }

    /// Elias-gamma (x ≥ 1): z zero bits, a one, then the low z bits of x, where z = ⌊log2 x⌋.
    @inline(__always) mutating func gamma(_ x: UInt32, into w: inout ByteWriter) {
        let z = 31 - x.leadingZeroBitCount
        write(0, width: z, into: &w)
        write(1, width: 1, into: &w)
        write(x & ((1 << UInt32(z)) - 1), width: z, into: &w)
    }

    /// Writes the last partial byte, if any.
    mutating func flush(into w: inout ByteWriter) {
        if filled > 0 { w.bytes.append(UInt8(truncatingIfNeeded: acc)) }
        acc = 0
        filled = 0
    }
}

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
