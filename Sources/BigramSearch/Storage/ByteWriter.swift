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
