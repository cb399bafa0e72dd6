/// A column of optional strings: `count + 1` offsets (u64 little-endian) into a byte array. In an
/// offset, bit 63 marks an absent value and bit 62 a deflated one (varint of the text's UTF-8
/// length, then zlib data; see ``Deflate``). Tables built in memory are plain; segment files
/// deflate their stored fields (``deflated()``).
struct StoredTable: Sendable {
    let offsets: ByteBuffer
    let bytes: ByteBuffer

    static let absent: UInt64 = 1 << 63
    static let deflated: UInt64 = 1 << 62
    static let flags = absent | deflated

    var count: Int { max(0, offsets.count / 8 - 1) }

    init(offsets: ByteBuffer, bytes: ByteBuffer) {
        self.offsets = offsets
        self.bytes = bytes
    }

    init(_ strings: [String?]) {
        var o = ByteWriter()
        var b: [UInt8] = []
        for s in strings {
            o.uint64(UInt64(b.count) | (s == nil ? Self.absent : 0))
            if let s { b.append(contentsOf: s.utf8) }
        }
        o.uint64(UInt64(b.count))
        offsets = ByteBuffer(o.bytes)
        bytes = ByteBuffer(b)
    }

    /// Value `i`'s raw bytes and flags.
    private func entry(_ i: Int) -> (range: Range<Int>, flags: UInt64)? {
        guard i >= 0 && i < count else { return nil }
        let start = offsets.uint64(at: 8 * i), end = offsets.uint64(at: 8 * i + 8) & ~Self.flags
        let lo = Int(min(start & ~Self.flags, UInt64(bytes.count))), hi = Int(min(end, UInt64(bytes.count)))
        guard lo <= hi else { return nil }
        return (lo..<hi, start & Self.flags)
    }

    subscript(i: Int) -> String? {
        guard let (range, flags) = entry(i), flags & Self.absent == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            let value = UnsafeRawBufferPointer(rebasing: raw[range])
            guard flags & Self.deflated != 0 else { return String(decoding: value, as: UTF8.self) }
            var r = ByteReader(bytes, offset: range.lowerBound)
            let size = Int(clamping: r.varint())
            let data = UnsafeRawBufferPointer(rebasing: raw[min(r.offset, range.upperBound)..<range.upperBound])
            // Damaged data (the section checksum normally catches it first) reads as absent.
            return Deflate.decompress(data, size: size).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The values of `parts` whose map entry is not −1, in order, copied as bytes (flags kept).
    static func concatenating(_ parts: [(table: StoredTable, map: [Int32])]) -> StoredTable {
        var o = ByteWriter()
        var b = ByteWriter()
        for (table, map) in parts {
            table.bytes.withUnsafeBytes { raw in
                for i in 0..<min(table.count, map.count) where map[i] >= 0 {
                    guard let (range, flags) = table.entry(i) else { o.uint64(UInt64(b.count) | Self.absent); continue }
                    o.uint64(UInt64(b.count) | flags)
                    b.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[range]))
                }
            }
        }
        o.uint64(UInt64(b.count))
        return StoredTable(offsets: ByteBuffer(o.bytes), bytes: ByteBuffer(b.bytes))
    }

    /// The same values with each one deflated when that saves at least 10%.
    func deflated() -> StoredTable {
        var o = ByteWriter()
        var b = ByteWriter()
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                guard let (range, flags) = entry(i) else { o.uint64(UInt64(b.count) | Self.absent); continue }
                let value = UnsafeRawBufferPointer(rebasing: raw[range])
                if flags == 0, let packed = Deflate.compress(value) {
                    o.uint64(UInt64(b.count) | Self.deflated)
                    b.varint(UInt64(value.count))
                    b.bytes.append(contentsOf: packed)
                } else {
                    o.uint64(UInt64(b.count) | flags)
                    b.bytes.append(contentsOf: value)
                }
            }
        }
        o.uint64(UInt64(b.count))
        return StoredTable(offsets: ByteBuffer(o.bytes), bytes: ByteBuffer(b.bytes))
    }

    /// Total UTF-8 bytes of the text (as stored before any deflating).
    var textByteCount: Int {
        var total = 0
        for i in 0..<count {
            guard let (range, flags) = entry(i), flags & Self.absent == 0 else { continue }
            if flags & Self.deflated != 0 {
                var r = ByteReader(bytes, offset: range.lowerBound)
                total += Int(clamping: r.varint())
            } else {
                total += range.count
            }
        }
        return total
    }
}

