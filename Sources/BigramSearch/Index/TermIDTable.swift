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

struct WordTermIDs {
    /// Per slot: id (−1 when empty), and the word's range in `arena`.
    private var ids: [Int32]
    private var hashes: [UInt32]
    private var starts: [Int32]
    private var lengths: [Int32]
    private var arena: [UInt8] = []
    private var mask: Int
    private(set) var count = 0

    init() {
        ids = [Int32](repeating: -1, count: 1024)
        hashes = [UInt32](repeating: 0, count: 1024)
        starts = [Int32](repeating: 0, count: 1024)
        lengths = [Int32](repeating: 0, count: 1024)
        mask = 1023
    }

    @inline(__always) private static func hash(_ w: borrowing [UInt8]) -> UInt32 {
        var h: UInt32 = 2_166_136_261   // FNV-1a
        for k in 0..<w.count { h = (h ^ UInt32(w[k])) &* 16_777_619 }
        return h
    }

    /// The id of `word`; a new word gets `newID` (and `inserted` is true).
    mutating func id(for word: borrowing [UInt8], newID: Int32) -> (id: Int32, inserted: Bool) {
        let h = Self.hash(word)
        var i = Int(h) & mask
        while true {
            let id = ids[i]
            if id < 0 { break }
            if hashes[i] == h && equals(i, word) { return (id, false) }
            i = (i + 1) & mask
        }
        ids[i] = newID
        hashes[i] = h
        starts[i] = Int32(arena.count)
        lengths[i] = Int32(word.count)
        for k in 0..<word.count { arena.append(word[k]) }
        count += 1
        if count * 2 > mask { grow() }
        return (newID, true)
    }

    @inline(__always) private func equals(_ slot: Int, _ word: borrowing [UInt8]) -> Bool {
        let n = Int(lengths[slot])
        guard n == word.count else { return false }
        let s = Int(starts[slot])
        for k in 0..<n where arena[s + k] != word[k] { return false }
        return true
    }

    private mutating func grow() {
        let o = (ids, hashes, starts, lengths)
        let size = ids.count * 2
        ids = [Int32](repeating: -1, count: size)
        hashes = [UInt32](repeating: 0, count: size)
        starts = [Int32](repeating: 0, count: size)
        lengths = [Int32](repeating: 0, count: size)
        mask = size - 1
        for slot in o.0.indices where o.0[slot] >= 0 {
            var i = Int(o.1[slot]) & mask
            while ids[i] >= 0 { i = (i + 1) & mask }
            ids[i] = o.0[slot]; hashes[i] = o.1[slot]; starts[i] = o.2[slot]; lengths[i] = o.3[slot]
        }
    }
}
