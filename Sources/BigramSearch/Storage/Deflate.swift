import CZlib

/// zlib compression of stored text in segment files (the only use of zlib).
///
/// Unsafe code: C interop only. zlib reads and writes through pointers into a ``ByteBuffer``
/// (``ByteBuffer/withUnsafeBytes(in:_:)``, which checks the range) or an array
/// (`withUnsafeMutableBufferPointer`), each valid for the duration of the closure that makes the
/// call; the `z_stream` of ``inflateInSteps(_:_:size:appendingTo:)`` lives inside such a closure
/// and its output pointer is set anew before every `inflate` call. A ``Compressor``'s stream is
/// allocated once by the compressor and freed by it; its input and output pointers are set and
/// cleared within each `compress` call. Callers outside this file
/// pass a ``ByteBuffer`` and a range; the `UnsafeRawBufferPointer` forms are for tests.
///
/// Measured on the open corpus (10.6 MB of text, documents of 2.5 KB on average): deflating each
/// stored value at level 1 keeps 46% of the bytes, compresses at ~78 MB/s (paid when a segment is
/// written, not while indexing in memory) and inflates at ~250 MB/s (~10 µs per document shown
/// with a snippet). Values under 64 bytes, or that shrink less than 10%, stay as they are. Values
/// longer than ``StoredTable/chunkSize`` are deflated in independent chunks, so that a snippet of
/// a huge document inflates only the chunks around its match.
enum Deflate {
    /// The most bytes one value may inflate to (1 GiB): a larger declared size is damage. The
    /// index's limit on a field (`IndexLimits.maxFieldBytes`) is the same.
    static let maximumOutput = 1 << 30

    static let minimumSize = 64

    /// zlib cannot expand data more than 1032 times (RFC 1951's longest match per bit pair), so a
    /// declared size above this bound is damage, found before allocating anything.
    static func maximumInflatedSize(ofCompressed count: Int) -> Int {
        count > Int.max / 2048 ? Int.max : 1032 * count + 64
    }

    /// Inflates the bytes `range` of `buffer` (see ``decompress(_:size:appendingTo:)``).
    static func decompress(_ buffer: ByteBuffer, _ range: Range<Int>, size: Int, appendingTo out: inout [UInt8]) -> Bool {
        buffer.withUnsafeBytes(in: range) { decompress($0, size: size, appendingTo: &out) }
    }

    /// Inflates the first `count` bytes of the zlib data `range` of `buffer` at the end of `out`
    /// (the data must give at least that many); on failure returns false and leaves `out` as it
    /// was. What follows in the stream is neither inflated nor checked.
    static func decompressPrefix(_ buffer: ByteBuffer, _ range: Range<Int>, count: Int, appendingTo out: inout [UInt8]) -> Bool {
        guard count > 0 else { return true }
        guard count <= maximumOutput, count <= maximumInflatedSize(ofCompressed: range.count) else { return false }
        return buffer.withUnsafeBytes(in: range) { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            let start = out.count
            var stream = z_stream()
            guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return false }
            defer { inflateEnd(&stream) }
            stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(bytes.count)
            out.append(contentsOf: repeatElement(0, count: count))
            let rc = out.withUnsafeMutableBufferPointer { o in
                stream.next_out = o.baseAddress! + start
                stream.avail_out = uInt(count)
                return inflate(&stream, Z_SYNC_FLUSH)
            }
            guard rc == Z_OK || rc == Z_STREAM_END, Int(stream.total_out) == count else {
                out.removeLast(out.count - start)
                return false
            }
            return true
        }
    }

    /// The deflated form of `bytes`, or nil when it would not save at least 10% (or, with `always`,
    /// only when zlib fails).
    static func compress(_ bytes: UnsafeRawBufferPointer, always: Bool = false) -> [UInt8]? {
        Compressor().compress(bytes, always: always)
    }

    /// One zlib stream deflating value after value (reset between them, not set up anew: a
    /// stream's setup clears some 300 KB of tables, more than deflating a typical 2.5 KB value
    /// costs). Its output is byte for byte that of `compress2` at level 1. Not thread-safe: one
    /// per table being written.
    final class Compressor {
        /// The stream, allocated once (zlib keeps a pointer to it in its state, so it must not move).
        private let stream: UnsafeMutablePointer<z_stream>
        private var ready: Bool

        init() {
            stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            ready = deflateInit_(stream, 1, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
        }

        deinit {
            if ready { deflateEnd(stream) }
            stream.deinitialize(count: 1)
            stream.deallocate()
        }

        /// The deflated form of the bytes `range` of `buffer` (see ``compress(_:always:)``).
        func compress(_ buffer: ByteBuffer, _ range: Range<Int>, always: Bool = false) -> [UInt8]? {
            buffer.withUnsafeBytes(in: range) { compress($0, always: always) }
        }

        /// The deflated form of `bytes`, or nil when it would not save at least 10% (or, with
        /// `always`, only when zlib fails).
        func compress(_ bytes: UnsafeRawBufferPointer, always: Bool = false) -> [UInt8]? {
            guard ready, always || bytes.count >= minimumSize, let base = bytes.baseAddress,
                  bytes.count <= Int(UInt32.max) else { return nil }
            guard deflateReset(stream) == Z_OK else { return nil }
            let capacity = Int(deflateBound(stream, uLong(bytes.count)))
            var produced = 0
            var rc = Z_OK
            var out = [UInt8](unsafeUninitializedCapacity: capacity) { o, n in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(bytes.count)
                stream.pointee.next_out = o.baseAddress
                stream.pointee.avail_out = uInt(capacity)
                rc = deflate(stream, Z_FINISH)
                produced = capacity - Int(stream.pointee.avail_out)
                n = rc == Z_STREAM_END ? produced : 0
                // (The stream keeps no pointer into `o` or `bytes` past this call: it is reset
                // before its next use.)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
            guard rc == Z_STREAM_END, always || produced * 10 < bytes.count * 9 else { return nil }
            out.removeLast(out.count - produced)
            return out
        }
    }

    /// Inflates `bytes` into exactly `size` bytes; nil when the data is damaged or `size` is
    /// impossible for data of that length (nothing is allocated then).
    static func decompress(_ bytes: UnsafeRawBufferPointer, size: Int) -> [UInt8]? {
        var out: [UInt8] = []
        return decompress(bytes, size: size, appendingTo: &out) ? out : nil
    }

    /// Inflates `bytes`, which must give exactly `size` bytes, at the end of `out`. On failure
    /// returns false and leaves `out` as it was. Above 1 MiB the output grows as zlib produces it
    /// (1 MiB at a time), so a damaged size declaration cannot make it allocate more than the
    /// data really inflates to (plus 1 MiB).
    static func decompress(_ bytes: UnsafeRawBufferPointer, size: Int, appendingTo out: inout [UInt8]) -> Bool {
        guard size >= 0, size <= maximumOutput, size <= maximumInflatedSize(ofCompressed: bytes.count) else { return false }
        if size == 0 { return true }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        let start = out.count
        if size > step { return inflateInSteps(base, bytes.count, size: size, appendingTo: &out) }
        var rc = Z_OK
        var length = uLong(size)
        let chunk = [UInt8](unsafeUninitializedCapacity: size) { o, n in
            rc = uncompress(o.baseAddress!, &length, base.assumingMemoryBound(to: Bytef.self), uLong(bytes.count))
            n = rc == Z_OK ? Int(length) : 0
        }
        guard rc == Z_OK, Int(length) == size else { return false }
        if start == 0 { out = chunk } else { out += chunk }
        return true
    }

    private static let step = 1 << 20

    private static func inflateInSteps(_ base: UnsafeRawPointer, _ count: Int, size: Int, appendingTo out: inout [UInt8]) -> Bool {
        let start = out.count
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return false }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(count)
        var produced = 0
        var rc = Z_OK
        while rc == Z_OK && produced < size {
            let n = min(step, size - produced)
            out.append(contentsOf: repeatElement(0, count: n))
            let before = stream.total_out
            rc = out.withUnsafeMutableBufferPointer { o in
                stream.next_out = o.baseAddress! + start + produced
                stream.avail_out = uInt(n)
                return inflate(&stream, Z_NO_FLUSH)
            }
            let made = Int(stream.total_out - before)
            produced += made
            if made < n && rc == Z_OK { rc = Z_DATA_ERROR }   // stuck: input ended early
        }
        // Exactly `size` bytes and the end of the stream (no more output pending).
        if rc == Z_OK && produced == size {
            var extra: UInt8 = 0
            rc = withUnsafeMutablePointer(to: &extra) { p in
                stream.next_out = p
                stream.avail_out = 1
                return inflate(&stream, Z_FINISH)
            }
            if stream.avail_out == 0 { rc = Z_DATA_ERROR }
        }
        guard rc == Z_STREAM_END, produced == size else {
            out.removeLast(out.count - start)
            return false
        }
        return true
    }
}
