/// Open-addressing hash tables that give each distinct term a dense id while documents are
/// indexed: one for 64-bit CJK keys, one for words (UTF-8 bytes kept in one arena). Faster than
/// `Dictionary` here because the hash is one multiply and no key is allocated per lookup.
struct CJKTermIDs {
    private var keys: [UInt64]
    private var ids: [Int32]
    private var mask: Int
    private(set) var count = 0

    init() {
        keys = [UInt64](repeating: 0, count: 1024)
        ids = [Int32](repeating: -1, count: 1024)
        mask = 1023
    }

    /// The id of `key`; a new key gets `newID` (and `inserted` is true).
    @inline(__always)
    mutating func id(for key: UInt64, newID: Int32) -> (id: Int32, inserted: Bool) {
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while true {
            let id = ids[i]
            if id < 0 { break }
            if keys[i] == key { return (id, false) }
            i = (i + 1) & mask
        }
        keys[i] = key
        ids[i] = newID
        count += 1
        if count * 2 > mask { grow() }
        return (newID, true)
    }

    private mutating func grow() {
        let oldKeys = keys, oldIDs = ids
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        ids = [Int32](repeating: -1, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (k, id) in zip(oldKeys, oldIDs) where id >= 0 {
            var i = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
            while ids[i] >= 0 { i = (i + 1) & mask }
            keys[i] = k
            ids[i] = id
        }
    }
}
