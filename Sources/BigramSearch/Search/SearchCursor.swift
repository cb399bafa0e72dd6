/// Where a page ended (``SearchResults/next``, ``SearchOptions/after``): an opaque string that
/// gives the next page of the same snapshot and query without recomputing the skipped hits.
///
/// It holds the last hit's place in the ranking — its rank, its sort key (score, or the sort
/// fields' normalized values) and its document's global number — and fingerprints of the
/// snapshot and of the query and order, so that a cursor used elsewhere is an error
/// (``SearchError/invalidCursor(_:)``), never a silently wrong page.
struct SearchCursor: Equatable {
    static let version: UInt8 = 2

    /// Hits before the next page.
    var rank: Int
    /// The last hit's score (score order).
    var score: Double
    /// The last hit's normalized sort keys and missing-value bits (field order).
    var keys: [UInt64]
    var missing: UInt8
    /// The last hit's global document number.
    var global: Int
    var snapshot: UInt64
    var query: UInt64

    /// The cursor as text: base64url (no padding) of its fields.
    var encoded: String {
        var w = ByteWriter()
        w.byte(Self.version)
        w.uint64(snapshot)
        w.uint64(query)
        w.uint64(UInt64(rank))
        w.uint64(score.bitPattern)
        w.uint64(UInt64(global))
        w.byte(missing)
        w.byte(UInt8(keys.count))
        for k in keys { w.uint64(k) }
        // A check of the rest: a cursor changed by hand (its rank, its keys) is refused, not
        // read as another page.
        var check = Fingerprint()
        check.add(w.bytes)
        w.uint64(check.value)
        return Base64URL.encode(w.bytes)
    }

    /// Reads a cursor; nil when `text` is not one this library wrote.
    init?(_ text: String) {
        guard let bytes = Base64URL.decode(text), bytes.count >= 51, bytes[0] == Self.version else { return nil }
        let b = ByteBuffer(bytes)
        let n = Int(bytes[42])
        guard n <= FieldOrder.maxKeys, bytes.count == 51 + 8 * n else { return nil }
        var check = Fingerprint()
        check.add(bytes[0..<(43 + 8 * n)])
        guard check.value == b.uint64(at: 43 + 8 * n) else { return nil }
        snapshot = b.uint64(at: 1)
        query = b.uint64(at: 9)
        let r = b.uint64(at: 17), g = b.uint64(at: 33)
        guard r <= UInt64(Int.max), g <= UInt64(Int.max) else { return nil }
        rank = Int(r)
        score = Double(bitPattern: b.uint64(at: 25))
        global = Int(g)
        missing = bytes[41]
        keys = (0..<n).map { b.uint64(at: 43 + 8 * $0) }
    }

    init(rank: Int, score: Double, keys: [UInt64], missing: UInt8, global: Int, snapshot: UInt64, query: UInt64) {
        self.rank = rank
        self.score = score
        self.keys = keys
        self.missing = missing
        self.global = global
        self.snapshot = snapshot
        self.query = query
    }
}

/// FNV-1a, 64 bits: stable across processes and platforms (unlike `Hasher`), for fingerprints.
struct Fingerprint {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }

    mutating func add(_ n: UInt64) {
        for k in 0..<8 { add(CollectionOfOne(UInt8(truncatingIfNeeded: n >> UInt64(8 * k)))) }
    }

    mutating func add(_ s: String) {
        add(UInt64(s.utf8.count))
        add(s.utf8)
    }
}

/// Base64 with the URL alphabet (`-`, `_`) and no padding (RFC 4648 §5).
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var v = UInt32(bytes[i]) << 16
            if n > 1 { v |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { v |= UInt32(bytes[i + 2]) }
            for k in 0...n { out.append(alphabet[Int((v >> UInt32(18 - 6 * k)) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for c in text.utf8 {
            switch c {
            case 0x41...0x5A: values.append(c - 0x41)
            case 0x61...0x7A: values.append(c - 0x61 + 26)
            case 0x30...0x39: values.append(c - 0x30 + 52)
            case 0x2D: values.append(62)
            case 0x5F: values.append(63)
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let n = min(4, values.count - i)
            var v: UInt32 = 0
            for k in 0..<4 { v = v << 6 | (k < n ? UInt32(values[i + k]) : 0) }
            for k in 0..<(n - 1) { out.append(UInt8((v >> UInt32(16 - 8 * k)) & 0xFF)) }
            i += 4
        }
        return out
    }
}
