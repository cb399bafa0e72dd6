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

    /// Appends `count` bits of `buffer` starting at bit `bit` (a record copied from another
    /// bit stream), 32 at a time.
    @inline(__always) mutating func copy(_ buffer: ByteBuffer, bit: Int, count: Int, into w: inout ByteWriter) {
        var at = bit, left = count
        while left >= 32 {
            write(buffer.bits(at: at, width: 32), width: 32, into: &w)
            at += 32
            left -= 32
        }
        write(buffer.bits(at: at, width: left), width: left, into: &w)
    }

    /// Writes the last partial byte, if any.
    mutating func flush(into w: inout ByteWriter) {
        if filled > 0 { w.bytes.append(UInt8(truncatingIfNeeded: acc)) }
        acc = 0
        filled = 0
    }
}
