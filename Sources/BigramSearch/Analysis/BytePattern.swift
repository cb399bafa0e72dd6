/// Bytes to find in other bytes: where re-ranking looks for a phrase's UTF-8 in stored text
/// before normalizing any of it (Boyer–Moore–Horspool: a CJK needle of two characters or more
/// moves the search on by about four bytes per comparison in Chinese text).
struct BytePattern: Sendable {
    let bytes: [UInt8]
    /// How far the search moves on when the byte under the pattern's last byte is `b`.
    private let shift: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        let m = bytes.count
        var shift = [UInt8](repeating: UInt8(min(m, 255)), count: 256)
        if m > 0 { for k in 0..<(m - 1) { shift[Int(bytes[k])] = UInt8(min(m - 1 - k, 255)) } }
        self.shift = shift
    }

    /// The offsets of the first `limit` copies of the pattern in `haystack` that do not overlap,
    /// ascending.
    ///
    /// - Complexity: O(n × m) at worst for `n` bytes searched (up to the `limit`-th copy) and a
    ///   pattern of `m`; about n ÷ 4 byte comparisons for CJK text.
    func offsets(in haystack: UnsafeBufferPointer<UInt8>, limit: Int) -> [Int] {
        let m = bytes.count, n = haystack.count
        guard m > 0, limit > 0, m <= n else { return [] }
        var out: [Int] = []
        let last = bytes[m - 1]
        var i = 0
        while i + m <= n {
            let b = haystack[i + m - 1]
            if b == last {
                var k = 0
                while k < m - 1 && haystack[i + k] == bytes[k] { k += 1 }
                if k == m - 1 {
                    out.append(i)
                    if out.count == limit { break }
                    i += m
                    continue
                }
            }
            i += Int(shift[Int(b)])
        }
        return out
    }
}
