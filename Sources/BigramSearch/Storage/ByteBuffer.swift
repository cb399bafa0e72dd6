/// An immutable byte buffer that the index reads through: either an array built in memory or a
/// region of a memory-mapped file. All unchecked memory access of the index lives in this file.
///
/// Every read is bounds-checked (a damaged file gives wrong numbers that the readers' validation
/// rejects, never a read outside the buffer).
struct ByteBuffer: @unchecked Sendable {
    // `storage` keeps the memory alive: an array, or a mapping object whose deinit unmaps it.
    // Sendable holds because the bytes are never written after construction.
    private let storage: AnyObject?
    private let base: UnsafeRawPointer?
    let count: Int

    /// An empty buffer.
    init() {
        storage = nil
        base = nil
        count = 0
    }

    /// A buffer over a copy of `array`.
    init(_ array: [UInt8]) {
        let box = ArrayBox(array)
        storage = box
        base = box.base
        count = array.count
    }

    /// A buffer over `count` bytes at `base`, kept alive by `owner`.
    init(owner: AnyObject, base: UnsafeRawPointer, count: Int) {
        storage = owner
        self.base = base
        self.count = count
    }

    /// The bytes `range` of this buffer, sharing its memory.
    func slice(_ range: Range<Int>) -> ByteBuffer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of bounds")
        guard let base, let storage else { return ByteBuffer() }
        return ByteBuffer(owner: storage, base: base + range.lowerBound, count: range.count)
    }

    /// The bytes without ownership, for hot loops (see ``BorrowedBytes``).
    var borrowed: BorrowedBytes { BorrowedBytes(base: base, count: count) }

    @inline(__always) subscript(i: Int) -> UInt8 { borrowed[i] }
    @inline(__always) func uint32(at i: Int) -> UInt32 { borrowed.uint32(at: i) }
    @inline(__always) func uint64(at i: Int) -> UInt64 { borrowed.uint64(at: i) }
    @inline(__always) func bits(at bitOffset: Int, width: Int) -> UInt32 { borrowed.bits(at: bitOffset, width: width) }

    /// Compares `length` bytes at `offset` with `other`, lexicographically. A range outside the
    /// buffer (damaged data) is clamped to it.
    func compare(at offset: Int, length: Int, with other: [UInt8]) -> Int {
        let offset = max(0, min(offset, count))
        let length = max(0, min(length, count - offset))
        let n = min(length, other.count)
        for k in 0..<n {
            let a = self[offset + k], b = other[k]
            if a != b { return a < b ? -1 : 1 }
        }
        return length == other.count ? 0 : (length < other.count ? -1 : 1)
    }

    func array(_ range: Range<Int>) -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        guard let base else { return [] }
        return Array(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}

/// The bytes of a ``ByteBuffer`` without keeping them alive: copying one costs no reference
/// counting, which matters in postings cursors (copied and advanced millions of times per
/// second). Valid only while the ``ByteBuffer`` it came from is alive: cursors live inside one
/// query evaluation, which holds the snapshot and so every buffer. Reads are bounds-checked.
struct BorrowedBytes {
    let base: UnsafeRawPointer?
    let count: Int

    /// Byte `i`; 0 outside the buffer (damaged data never reads out of bounds).
    @inline(__always) subscript(i: Int) -> UInt8 {
        guard i >= 0 && i < count else { return 0 }
        return base.unsafelyUnwrapped.load(fromByteOffset: i, as: UInt8.self)
    }

    @inline(__always) func uint32(at i: Int) -> UInt32 {
        guard i >= 0 && i + 4 <= count else { return 0 }
        return UInt32(littleEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }

    @inline(__always) func uint64(at i: Int) -> UInt64 {
        guard i >= 0 && i + 8 <= count else { return 0 }
        return UInt64(littleEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    /// `width` (≤ 32) bits starting at bit `bitOffset` of the buffer, least significant first.
    @inline(__always) func bits(at bitOffset: Int, width: Int) -> UInt32 {
        unpack(byte: bitOffset >> 3, width: width, shift: bitOffset & 7)
    }

    @inline(__always) private func unpack(byte: Int, width: Int, shift: Int) -> UInt32 {
        if width == 0 { return 0 }
        guard byte >= 0 && byte &+ 8 <= count else { return slowUnpack(byte: byte, shift: shift, width: width) }
        let word = UInt64(littleEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
        return UInt32(truncatingIfNeeded: (word >> UInt64(shift)) & ((1 << UInt64(width)) - 1))
    }

    private func slowUnpack(byte: Int, shift: Int, width: Int) -> UInt32 {
        var word: UInt64 = 0
        for k in 0..<8 where byte + k >= 0 && byte + k < count { word |= UInt64(self[byte + k]) << UInt64(8 * k) }
        return UInt32(truncatingIfNeeded: (word >> UInt64(shift)) & ((1 << UInt64(width)) - 1))
    }

}

/// Keeps an array's storage at a fixed address for ``ByteBuffer``.
private final class ArrayBox {
    let pointer: UnsafeMutableRawPointer
    var base: UnsafeRawPointer { UnsafeRawPointer(pointer) }

    init(_ array: [UInt8]) {
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(array.count, 1), alignment: 16)
        array.withUnsafeBytes { src in
            if let s = src.baseAddress { pointer.copyMemory(from: s, byteCount: src.count) }
        }
    }

    deinit { pointer.deallocate() }
}
