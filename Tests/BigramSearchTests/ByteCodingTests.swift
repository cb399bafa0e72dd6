import Testing
@testable import BigramSearch

// The byte and bit primitives under the postings and the dictionary: ByteWriter / ByteReader
// (little-endian integers, varints) and BitWriter / BorrowedBytes.bits (values of 0–32 bits,
// Elias-gamma), against plain arithmetic.

@Suite(.checksSegmentInvariants) struct ByteCodingTests {
    @Test func varintsRoundTrip() {
        let edges: [UInt64] = [0, 1, 127, 128, 255, 16_383, 16_384, 1 << 21 - 1, 1 << 21, UInt64(UInt32.max),
                               1 << 32, 1 << 56 - 1, 1 << 56, 1 << 63 - 1, 1 << 63, UInt64.max]
        var rng = SplitMix64(0x7A81)
        let values = edges + (0..<500).map { _ in rng.next() >> UInt64(rng.int(0...63)) }
        var w = ByteWriter()
        var sizes: [Int] = []
        for v in values {
            let before = w.count
            w.varint(v)
            sizes.append(w.count - before)
        }
        for (v, size) in zip(values, sizes) {
            #expect(size == max(1, (64 - v.leadingZeroBitCount + 6) / 7), "\(v) took \(size) bytes")
        }
        // (A reader borrows its buffer: the buffer must outlive it.)
        let buffer = ByteBuffer(w.bytes)
        withExtendedLifetime(buffer) {
            var r = ByteReader(buffer)
            for v in values { #expect(r.varint() == v) }
            #expect(r.offset == buffer.count)
            // Past the end: zeros, never a read outside.
            #expect(r.varint() == 0 && r.byte() == 0)
        }
        // A truncated varint gives the bits it has.
        var t = ByteWriter()
        t.varint(300)
        let cut = ByteBuffer(Array(t.bytes.prefix(1)))
        withExtendedLifetime(cut) {
            var r = ByteReader(cut)
            #expect(r.varint() == 300 & 0x7F && r.offset == cut.count)
        }
    }

    @Test func littleEndianIntegers() {
        var w = ByteWriter()
        w.uint32(0x0403_0201)
        w.uint64(0x0C0B_0A09_0807_0605)
        w.byte(0xFF)
        w.uint32(0)
        w.overwrite(uint32: 0xDDCC_BBAA, at: 13)
        #expect(w.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0xFF, 0xAA, 0xBB, 0xCC, 0xDD])
        let b = ByteBuffer(w.bytes)
        var r = ByteReader(b)   // (b is used below: it outlives the reader)
        #expect(r.uint32() == 0x0403_0201 && r.uint64() == 0x0C0B_0A09_0807_0605 && r.byte() == 0xFF && r.uint32() == 0xDDCC_BBAA)
        #expect(r.offset == b.count)
        // Reads that would cross the end give 0.
        #expect(b.uint32(at: 14) == 0 && b.uint64(at: 10) == 0 && b.uint32(at: -1) == 0 && b.borrowed[17] == 0)
        w.padTail()
        #expect(w.count == 17 + ByteWriter.tailPadding && w.bytes.suffix(ByteWriter.tailPadding).allSatisfy { $0 == 0 })
    }

    @Test func bitWidths() {
        #expect(ByteWriter.bitWidth(0) == 0 && ByteWriter.bitWidth(1) == 1 && ByteWriter.bitWidth(2) == 2)
        #expect(ByteWriter.bitWidth(3) == 2 && ByteWriter.bitWidth(4) == 3 && ByteWriter.bitWidth(UInt32.max) == 32)
        for k in 0..<32 {
            #expect(ByteWriter.bitWidth(UInt32(1) << UInt32(k)) == k + 1)
            #expect(ByteWriter.bitWidth((UInt32(1) << UInt32(k)) - 1) == k)
        }
    }

    @Test func bitStreamsRoundTrip() {
        // Random values of random widths (0–32) and gamma codes, in several streams one after
        // another (each flushed to a byte), read back at their bit offsets, with and without the
        // tail padding (without it, the last reads take the byte-by-byte path).
        var rng = SplitMix64(0xB175)
        for _ in 0..<30 {
            enum Item { case fixed(UInt32, Int), gamma(UInt32) }
            var w = ByteWriter()
            var written: [(item: Item, bit: Int)] = []
            for _ in 0..<rng.int(1...5) {
                var bits = BitWriter()
                var bit = w.count * 8
                for _ in 0..<rng.int(0...200) {
                    if rng.chance(30) {
                        let z = rng.int(0...30)
                        let x = (UInt32(1) << UInt32(z)) | (UInt32(truncatingIfNeeded: rng.next()) & ((UInt32(1) << UInt32(z)) - 1))
                        written.append((.gamma(x), bit))
                        bits.gamma(x, into: &w)
                        bit += 2 * z + 1
                    } else {
                        let width = rng.pick([0, 1, 2, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, rng.int(0...32)])
                        let v = width == 0 ? 0 : UInt32(truncatingIfNeeded: rng.next()) >> UInt32(32 - width)
                        written.append((.fixed(v, width), bit))
                        bits.write(v, width: width, into: &w)
                        bit += width
                    }
                }
                bits.flush(into: &w)
                #expect(w.count == (bit + 7) / 8, "a stream ends at its last bit, rounded up to a byte")
            }
            let unpadded = ByteBuffer(w.bytes)
            w.padTail()
            let padded = ByteBuffer(w.bytes)
            for buffer in [padded, unpadded] {
                for (item, bit) in written {
                    switch item {
                    case .fixed(let v, let width):
                        #expect(buffer.bits(at: bit, width: width) == v, "\(width) bits at \(bit)")
                    case .gamma(let x):
                        // As the postings cursor decodes it.
                        let z = min(31, buffer.bits(at: bit, width: 32).trailingZeroBitCount)
                        let low = buffer.bits(at: bit + z + 1, width: z)
                        #expect((UInt32(1) << UInt32(z)) | low == x, "gamma at \(bit)")
                    }
                }
            }
        }
        // Reads past the end give zeros.
        let b = ByteBuffer([0xFF])
        #expect(b.bits(at: 0, width: 8) == 0xFF && b.bits(at: 4, width: 8) == 0x0F && b.bits(at: 8, width: 32) == 0)
        #expect(b.bits(at: -8, width: 16) == 0xFF00)
    }
}
