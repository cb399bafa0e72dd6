/// The library's own manually managed memory, and the only code that reads or writes it through
/// raw pointers:
///
/// - ``ByteBuffer``: the immutable bytes the index reads, copied from an array or a region of a
///   memory-mapped file (any ``ByteStorage``);
/// - ``GrowableBuffer``: the growing `UInt32` values of ``PostingsPool`` while documents are added,
///   in blocks that a ``BlockRecycler`` hands from one buffer of a writer to the next.
///
/// Why this is sound, by construction rather than by convention:
/// - a pointer never outlives its memory: each value holds a strong reference to the object that
///   owns the memory (a ``ByteBuffer`` and every copy and slice of it retain its storage, so do the
///   cursors and readers that hold one), and the owner frees it only in its deinit;
/// - no pointer leaves this file except inside a `withUnsafeBytes` closure, valid for that call;
/// - every read and write is bounds-checked: a damaged file gives wrong numbers that the readers'
///   validation rejects, never an access outside the memory;
/// - the bytes of a ``ByteBuffer`` are never written after construction (hence `Sendable`).
///
/// Other files hand buffers to C (zlib, CRC-32C, ICU, read/write(2)) inside such closures; README
/// "Unsafe code" lists them.
struct ByteBuffer: @unchecked Sendable {
    // `storage` owns the memory at `base` (`count` bytes) and keeps it alive as long as this value.
    // (`UnsafeRawPointer` is not `Sendable`; the bytes are immutable, so sharing them is safe.)
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
        self.init(storage: ArrayStorage(array))
    }

    /// A buffer over the memory `storage` owns (kept alive by this buffer and its slices).
    init(storage: some ByteStorage) {
        let bytes = storage.bytes
        self.storage = storage
        base = bytes.baseAddress
        count = bytes.baseAddress == nil ? 0 : bytes.count
    }

    private init(storage: AnyObject?, base: UnsafeRawPointer?, count: Int) {
        self.storage = storage
        self.base = base
        self.count = count
    }

    /// The bytes `range` of this buffer, sharing its memory (and keeping it alive).
    func slice(_ range: Range<Int>) -> ByteBuffer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of bounds")
        guard let base, !range.isEmpty else { return ByteBuffer() }
        return ByteBuffer(storage: storage, base: base + range.lowerBound, count: range.count)
    }

    /// Byte `i`; 0 outside the buffer (damaged data never reads out of bounds).
    @inline(__always) subscript(i: Int) -> UInt8 {
        guard i >= 0 && i < count else { return 0 }
        return base.unsafelyUnwrapped.load(fromByteOffset: i, as: UInt8.self)
    }

    /// The little-endian `UInt32` at byte `i`; 0 when it does not lie inside the buffer.
    @inline(__always) func uint32(at i: Int) -> UInt32 {
        guard i >= 0 && i <= count &- 4 else { return 0 }
        return UInt32(littleEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }

    /// The little-endian `UInt64` at byte `i`; 0 when it does not lie inside the buffer.
    @inline(__always) func uint64(at i: Int) -> UInt64 {
        guard i >= 0 && i <= count &- 8 else { return 0 }
        return UInt64(littleEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    /// `width` (≤ 32) bits starting at bit `bitOffset` of the buffer, least significant first;
    /// bits outside the buffer read as 0. One unaligned 64-bit load when the 8 bytes from the
    /// first bit's byte lie inside (buffers of bit streams end with ``ByteWriter/tailPadding``).
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
        for k in 0..<8 where byte &+ k >= 0 && byte &+ k < count { word |= UInt64(self[byte + k]) << UInt64(8 * k) }
        return UInt32(truncatingIfNeeded: (word >> UInt64(shift)) & ((1 << UInt64(width)) - 1))
    }

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

    /// A copy of the bytes `range`.
    func array(_ range: Range<Int>) -> [UInt8] {
        withUnsafeBytes(in: range) { Array($0) }
    }

    /// Appends a copy of the bytes `range` to `out`.
    func append(_ range: Range<Int>, to out: inout [UInt8]) {
        withUnsafeBytes(in: range) { out.append(contentsOf: $0) }
    }

    /// The bytes `range` decoded as UTF-8 (ill-formed sequences become U+FFFD).
    func string(_ range: Range<Int>) -> String {
        withUnsafeBytes(in: range) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the bytes, valid only during the call (to hand them to C).
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The sum of the first `count` little-endian u32 values (clamped to the buffer), in one pass
    /// (for ``FieldLengths``: a check of a segment's lengths, 4 bytes a document, on first use).
    func sumOfUInt32s(count: Int) -> UInt64 {
        let n = max(0, min(count, self.count / 4))
        guard n > 0 else { return 0 }
        let raw = base.unsafelyUnwrapped
        var total: UInt64 = 0
        for k in 0..<n { total &+= UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 &* k, as: UInt32.self))) }
        return total
    }

    /// Calls `body` with the bytes `range` (which must lie inside the buffer), valid only during
    /// the call.
    func withUnsafeBytes<R>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "byte range out of bounds")
        return try body(UnsafeRawBufferPointer(start: range.isEmpty ? nil : base.unsafelyUnwrapped + range.lowerBound,
                                               count: range.count))
    }
}

/// An object that owns memory for ``ByteBuffer``: `bytes` must stay valid, unchanged and at the
/// same address from the object's initialization until its deinit (which may free it). Its
/// conformances: an array copy (in this file) and a read-only file mapping (``FileSystem/map(_:)``).
protocol ByteStorage: AnyObject, Sendable {
    var bytes: UnsafeRawBufferPointer { get }
}

/// A copy of an array's bytes at a fixed, 16-byte aligned address.
private final class ArrayStorage: ByteStorage, @unchecked Sendable {   // (never written after init)
    private let pointer: UnsafeMutableRawPointer
    private let count: Int
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }

    init(_ array: [UInt8]) {
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(array.count, 1), alignment: 16)
        count = array.count
        array.withUnsafeBytes { src in
            if let s = src.baseAddress { pointer.copyMemory(from: s, byteCount: src.count) }
        }
    }

    deinit { pointer.deallocate() }
}

/// A growable array of `UInt32` without copy-on-write (a class over memory it allocates), so that
/// the hot loop of ``PostingsPool`` writes to it without uniqueness or exclusivity checks. Every
/// index is checked against ``count``; no pointer to the memory is handed out.
///
/// The values live in fixed blocks of ``blockValues`` (256 KiB) rather than one array that
/// doubles: growing never copies, and memory is touched once. (Doubling touched twice the final
/// size, each time in fresh pages the kernel had to clear: on a VM, `perf` put a fifth of the
/// indexing thread's samples in clearing pages, the pool's growth among the largest parts.) A run handed out by ``grow(by:)``
/// never crosses a block: the rest of a block too short for it is zeroed and skipped. With a
/// ``BlockRecycler`` the blocks come from, and go back to, the buffers of one writer, so the
/// next buffer reuses pages already in memory.
final class GrowableBuffer {
    static let blockShift = 16
    /// Values per block; ``grow(by:)`` hands out at most this many at once.
    static let blockValues = 1 << blockShift
    static let blockBytes = blockValues * MemoryLayout<UInt32>.stride
    private static let blockMask = blockValues - 1

    // The blocks' addresses, `blockCount` of them in a table of `tableCapacity` (a plain pointer
    // table, not an array: the hot loop reads it without retains or uniqueness checks).
    private var table: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>
    private var tableCapacity = 16
    private var blockCount = 0
    private let recycler: BlockRecycler
    /// Values handed out, including skipped block ends (all initialized).
    private(set) var count = 0
    /// Values the blocks hold.
    var capacity: Int { blockCount << Self.blockShift }

    init(recycler: BlockRecycler = .keepingNone) {
        self.recycler = recycler
        table = .allocate(capacity: tableCapacity)
    }

    deinit {
        recycler.give(Array(UnsafeBufferPointer(start: table, count: blockCount)))
        table.deallocate()
    }

    /// Appends `n` zeros (`n` ≤ ``blockValues``) in one block; returns the index of the first.
    func grow(by n: Int) -> UInt32 {
        precondition(n >= 0 && n <= Self.blockValues, "GrowableBuffer run out of range")
        if capacity - count < n {
            if count < capacity {
                (table[blockCount - 1] + (count & Self.blockMask)).initialize(repeating: 0, count: capacity - count)
            }
            precondition(capacity + Self.blockValues <= Int(UInt32.max), "GrowableBuffer size out of range")
            if blockCount == tableCapacity {
                let bigger = UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>.allocate(capacity: tableCapacity * 2)
                bigger.moveInitialize(from: table, count: blockCount)
                table.deallocate()
                table = bigger
                tableCapacity *= 2
            }
            count = capacity
            (table + blockCount).initialize(to: recycler.take())
            blockCount += 1
        }
        (table[count >> Self.blockShift] + (count & Self.blockMask)).initialize(repeating: 0, count: n)
        defer { count += n }
        return UInt32(count)
    }

    @inline(__always) subscript(i: Int) -> UInt32 {
        get {
            precondition(i >= 0 && i < count, "GrowableBuffer index out of range")
            return table[i >> Self.blockShift][i & Self.blockMask]
        }
        set {
            precondition(i >= 0 && i < count, "GrowableBuffer index out of range")
            table[i >> Self.blockShift][i & Self.blockMask] = newValue
        }
    }
}

/// Where ``GrowableBuffer``s get their blocks and leave them: a writer's recycler keeps a frozen
/// buffer's blocks for its next buffer to take, so a bulk load clears fresh pages for one
/// buffer's postings, not for every buffer's. Keeps at most ``maxBlocks`` (what one buffer of the
/// writer's budget holds) and frees the rest; ``releaseAll()`` frees them all (a writer does at
/// snapshot, commit and close). ``keepingNone`` (a buffer outside a writer) frees every block.
final class BlockRecycler: @unchecked Sendable {   // the blocks are only touched under the lock
    /// Keeps nothing: blocks are allocated on take and freed on give.
    static let keepingNone = BlockRecycler(maxBytes: 0)

    let maxBlocks: Int
    private let free = Locked<[UnsafeMutablePointer<UInt32>]>([])

    /// Keeps up to `maxBytes` of free blocks.
    init(maxBytes: Int) { maxBlocks = max(0, maxBytes / GrowableBuffer.blockBytes) }

    deinit { releaseAll() }

    /// Bytes of the free blocks kept.
    var keptBytes: Int { free.withLock { $0.count } * GrowableBuffer.blockBytes }

    /// A free block (uninitialized values), or a new one.
    func take() -> UnsafeMutablePointer<UInt32> {
        free.withLock { $0.popLast() } ?? .allocate(capacity: GrowableBuffer.blockValues)
    }

    /// Takes `blocks` back: keeps them up to ``maxBlocks`` and frees the others.
    func give(_ blocks: [UnsafeMutablePointer<UInt32>]) {
        let surplus: ArraySlice<UnsafeMutablePointer<UInt32>> = free.withLock { free in
            let kept = max(0, min(blocks.count, maxBlocks - free.count))
            free.append(contentsOf: blocks.prefix(kept))
            return blocks.dropFirst(kept)
        }
        for b in surplus { b.deallocate() }
    }

    /// Frees every block kept.
    func releaseAll() {
        let all: [UnsafeMutablePointer<UInt32>] = free.withLock { free in defer { free = [] }; return free }
        for b in all { b.deallocate() }
    }
}
