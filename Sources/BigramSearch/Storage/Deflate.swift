import CZlib

/// zlib compression of stored text in segment files (the only use of zlib).
///
/// Measured on the open corpus (10.6 MB of text, documents of 2.5 KB on average): deflating each
/// stored value at level 1 keeps 46% of the bytes, compresses at ~78 MB/s (paid when a segment is
/// written, not while indexing in memory) and inflates at ~250 MB/s (~10 µs per document shown
/// with a snippet). Values under 64 bytes, or that shrink less than 10%, stay as they are.
enum Deflate {
    static let minimumSize = 64

    /// The deflated form of `bytes`, or nil when it would not save at least 10%.
    static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard bytes.count >= minimumSize, let base = bytes.baseAddress else { return nil }
        var capacity = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(capacity))
        let rc = out.withUnsafeMutableBufferPointer { o in
            compress2(o.baseAddress, &capacity, base.assumingMemoryBound(to: Bytef.self), uLong(bytes.count), 1)
        }
        guard rc == Z_OK, Int(capacity) * 10 < bytes.count * 9 else { return nil }
        out.removeLast(out.count - Int(capacity))
        return out
    }

    /// Inflates `bytes` into exactly `size` bytes; nil when the data is damaged.
    static func decompress(_ bytes: UnsafeRawBufferPointer, size: Int) -> [UInt8]? {
        guard size >= 0, size <= 1 << 31, let base = bytes.baseAddress else { return size == 0 ? [] : nil }
        var out = [UInt8](repeating: 0, count: size)
        var length = uLong(size)
        let rc = out.withUnsafeMutableBufferPointer { o in
            uncompress(o.baseAddress, &length, base.assumingMemoryBound(to: Bytef.self), uLong(bytes.count))
        }
        return rc == Z_OK && Int(length) == size ? out : nil
    }
}
