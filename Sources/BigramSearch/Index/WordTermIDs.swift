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
