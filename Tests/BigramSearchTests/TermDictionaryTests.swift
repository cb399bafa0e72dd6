import Testing
@testable import BigramSearch

// The term dictionary on its own (docs/FORMAT.md §Dictionary): front-coded blocks of 32 built
// from sorted keys, read back by exact lookup, prefix enumeration and the iterator, against the
// sorted key list itself.

private typealias Key = [UInt8]

/// A dictionary of `keys` (sorted, distinct) with made-up entries, and the entries given.
private struct BuiltDictionary {
    let dictionary: TermDictionary
    let keys: [Key]
    let entries: [TermDictionary.Entry]

    init(_ keys: [Key], _ rng: inout SplitMix64) {
        precondition(zip(keys, keys.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
        var offset = 0
        var entries: [TermDictionary.Entry] = []
        for _ in keys {
            // Offsets ascend (postings follow each other), sometimes by 0, sometimes past 2^32.
            switch rng.int(0..<20) {
            case 0: offset += 0
            case 1: offset += 1 << 33
            default: offset += rng.int(1...5_000)
            }
            let df = rng.chance(10) ? rng.int(1...(1 << 31)) : rng.int(1...300)
            entries.append(.init(docFrequency: df, postingsOffset: offset))
        }
        let built = TermDictionary.build(Array(zip(keys, entries)).map { (key: $0.0, entry: $0.1) })
        dictionary = TermDictionary(entries: ByteBuffer(built.entries), blockOffsets: ByteBuffer(built.blockOffsets),
                                    termCount: keys.count)
        self.keys = keys
        self.entries = entries
    }

    /// Every key found with its entry; absent keys before, between and after not found; every
    /// prefix enumerated as a filter of the keys; the iterator in key order from every block.
    func check(extraPrefixes: [Key] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(dictionary.blockCount == (keys.count + TermDictionary.blockSize - 1) / TermDictionary.blockSize,
                sourceLocation: sourceLocation)
        let present = Set(keys)
        for (k, key) in keys.enumerated() {
            #expect(dictionary.lookup(key) == entries[k], "lookup of key \(k) \(key)", sourceLocation: sourceLocation)
            // Where its postings end: the next term's offset (within and across blocks), nil last.
            let end = dictionary.locate(key)?.postingsEnd
            #expect(end == (k + 1 < keys.count ? entries[k + 1].postingsOffset : nil), "end of key \(k)", sourceLocation: sourceLocation)
        }
        for key in absentKeys() where !present.contains(key) {
            #expect(dictionary.lookup(key) == nil, "absent key \(key) found", sourceLocation: sourceLocation)
        }
        // Prefixes: of every key at every length up to 16 (the empty prefix: all), its last few
        // lengths and around the prefix it shares with its neighbours; plus absent keys.
        var prefixes = Set<Key>(extraPrefixes)
        for (k, key) in keys.enumerated() {
            var lengths = Set(0...min(key.count, 16)).union(max(0, key.count - 2)...key.count)
            for other in [k > 0 ? keys[k - 1] : [], k + 1 < keys.count ? keys[k + 1] : []] {
                let shared = zip(key, other).prefix { $0 == $1 }.count
                lengths.formUnion(max(0, shared - 1)...min(key.count, shared + 1))
            }
            for n in lengths { prefixes.insert(Array(key.prefix(n))) }
        }
        for key in absentKeys() { prefixes.insert(key) }
        for prefix in prefixes.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            var found: [TermDictionary.Entry] = []
            var ends: [Int?] = []
            dictionary.forEach(withPrefix: prefix) { found.append($0); ends.append($1) }
            let matching = keys.indices.filter { keys[$0].starts(with: prefix) }
            let expected = matching.map { entries[$0] }
            #expect(found == expected, "prefix \(prefix): \(found.count) entries, expected \(expected.count)",
                    sourceLocation: sourceLocation)
            #expect(ends == matching.map { $0 + 1 < keys.count ? entries[$0 + 1].postingsOffset : nil }, "prefix \(prefix): ends",
                    sourceLocation: sourceLocation)
        }
        // The iterator, from each block.
        for b in 0...dictionary.blockCount {
            var it = TermDictionary.Iterator(dictionary, block: b)
            var k = b * TermDictionary.blockSize
            #expect(it.ordinal == k, sourceLocation: sourceLocation)
            while let e = it.next() {
                guard k < keys.count else { Issue.record("iterator past the last key", sourceLocation: sourceLocation); break }
                #expect(it.key == keys[k] && e == entries[k], "iterator at \(k): \(it.key)", sourceLocation: sourceLocation)
                k += 1
                #expect(it.ordinal == k, sourceLocation: sourceLocation)
            }
            if b < dictionary.blockCount { #expect(k == keys.count, sourceLocation: sourceLocation) }
            #expect(it.next() == nil, sourceLocation: sourceLocation)
        }
        // The iterator consumes the entries exactly.
        var it = TermDictionary.Iterator(dictionary, block: 0)
        while it.next() != nil {}
        #expect(it.entryOffset == dictionary.entries.count, sourceLocation: sourceLocation)
    }

    /// Keys near the present ones that may be absent: before the first, after the last, each
    /// key's neighbours (a byte more, a byte less, the last byte changed, a byte appended).
    func absentKeys() -> [Key] {
        var out: [Key] = [[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                          [0x00], []]
        for key in keys {
            out.append(key + [0x00])
            out.append(key + [0xFF])
            if !key.isEmpty {
                out.append(Array(key.dropLast()))
                var k = key
                if k[k.count - 1] > 0 { k[k.count - 1] -= 1; out.append(k); out.append(k + [0xFF]) }
                k = key
                if k[k.count - 1] < 0xFF { k[k.count - 1] += 1; out.append(k) }
            }
        }
        return out
    }
}

private func sortedDistinct(_ keys: [Key]) -> [Key] {
    Array(Set(keys)).sorted { $0.lexicographicallyPrecedes($1) }
}

/// A key of `count` random bytes drawn from `alphabet`.
private func randomKey(_ count: Int, _ alphabet: [UInt8], _ rng: inout SplitMix64) -> Key {
    (0..<count).map { _ in rng.pick(alphabet) }
}

@Suite(.checksSegmentInvariants) struct TermDictionaryTests {
    /// Key counts at the block edges: short keys with short shared prefixes (one length byte).
    @Test(arguments: [1, 2, 31, 32, 33, 63, 64, 65, 97])
    func keysAroundBlockEdges(_ count: Int) {
        var rng = SplitMix64(0xD1C7 + UInt64(count))
        let keys = (0..<count).map { i -> Key in Array("t\(i)".utf8) }
        BuiltDictionary(sortedDistinct(keys), &rng).check()
    }

    /// Shared prefixes and suffixes at and past the one-byte limits (shared ≤ 14, suffix ≤ 15),
    /// so that both the packed length byte and the 0xF0 escape occur, in and across blocks.
    @Test(arguments: [31, 32, 33, 64, 65])
    func longSharedPrefixesAndSuffixes(_ count: Int) {
        var rng = SplitMix64(0xF0F0 + UInt64(count))
        var keys: [Key] = []
        let stems: [Key] = [
            Array(repeating: 0x61, count: 14), Array(repeating: 0x62, count: 15), Array(repeating: 0x63, count: 40),
            Array(repeating: 0x64, count: 200),   // a shared-length varint of 2 bytes
        ]
        var i = 0
        while keys.count < count {
            let stem = stems[i % stems.count]
            // Suffix lengths 1, 14, 15, 16, 130 (a 2-byte varint).
            let suffixLength = [1, 14, 15, 16, 130][(i / stems.count) % 5]
            keys.append(stem + [UInt8(i % 251)] + randomKey(suffixLength - 1, Array(0x30...0x39), &rng))
            i += 1
        }
        let sorted = sortedDistinct(keys)
        #expect(sorted.count == count)
        let d = BuiltDictionary(sorted, &rng)
        d.check(extraPrefixes: [Array(repeating: 0x64, count: 199), Array(repeating: 0x64, count: 201)])
        // Both length encodings are in use.
        var it = TermDictionary.Iterator(d.dictionary, block: 0)
        var escapes = 0, packed = 0
        while true {
            let at = it.entryOffset
            guard it.next() != nil else { break }
            if d.dictionary.entries[at] == 0xF0 { escapes += 1 } else { packed += 1 }
        }
        #expect(escapes > 0 && packed > 0, "\(escapes) escaped, \(packed) packed")
    }

    /// Long keys that are prefixes of each other: a suffix of 1 byte after a shared prefix of
    /// the whole previous key, shared lengths ≥ 128 (2-byte varints), in one block and across two.
    @Test(arguments: [3, 34])
    func longKeysThatArePrefixesOfEachOther(_ count: Int) {
        var rng = SplitMix64(0x1000 + UInt64(count))
        var keys: [Key] = (0..<count).map { Array(repeating: 0x65, count: 140 + $0) }
        keys.append(Array(repeating: 0x65, count: 150) + [0x66])
        keys.append(Array(repeating: 0x65, count: 150) + [0x66, 0x00])
        BuiltDictionary(sortedDistinct(keys), &rng).check()
    }

    /// The packed byte's exact limits: shared 14 / suffix 15 packed; shared 15 or suffix 16
    /// escaped; suffix 0 is only possible for an empty first key.
    @Test func lengthByteLimits() {
        var rng = SplitMix64(0x14_15)
        let base = Array(repeating: UInt8(0x41), count: 14)
        let keys: [Key] = [
            [],                                                   // empty key: suffix 0, shared 0
            base + Array(repeating: 0x42, count: 15),             // (first after: shared 0, suffix 29: escaped)
            base + Array(repeating: 0x43, count: 15),             // shared 14, suffix 15: packed 0xEF
            base + Array(repeating: 0x43, count: 15) + [0x44],    // shared 29, suffix 1: escaped
            base + [0x45] + Array(repeating: 0x46, count: 16),    // shared 14, suffix 17: escaped
            base + [0x45, 0x46],                                  // (sorts before the previous)
        ]
        let sorted = sortedDistinct(keys)
        #expect(sorted.first == [])
        let d = BuiltDictionary(sorted, &rng)
        d.check()
        #expect(d.dictionary.lookup([]) == d.entries[0])
        // The bytes: entry 2 (shared 14, suffix 15) is the packed 0xEF.
        var it = TermDictionary.Iterator(d.dictionary, block: 0)
        var firstBytes: [UInt8] = []
        while true {
            let at = it.entryOffset
            guard it.next() != nil else { break }
            firstBytes.append(d.dictionary.entries[at])
        }
        #expect(firstBytes[0] == 0x00)
        #expect(firstBytes.contains(0xEF))
    }

    @Test func randomKeySets() {
        var rng = SplitMix64(0x5EED_D1C7)
        for _ in 0..<24 {
            let count = rng.chance(20) ? rng.int(200...800) : rng.int(1...140)
            // Small alphabets give long shared prefixes; CJK-like keys (3-byte characters and
            // the 8-byte bigram keys) and words.
            let alphabet: [UInt8] = rng.pick([[0x61, 0x62], Array(0x61...0x7A), Array(0xE4...0xE9) + Array(0x80...0xBF), Array(0...255)])
            var keys: [Key] = []
            for _ in 0..<count {
                let stem = rng.chance(40) && !keys.isEmpty ? Array(rng.pick(keys).prefix(rng.int(0...30))) : []
                keys.append(stem + randomKey(rng.int(1...(rng.chance(10) ? 60 : 12)), alphabet, &rng))
            }
            let d = BuiltDictionary(sortedDistinct(keys), &rng)
            if d.keys.count < 200 {
                d.check()
            } else {
                // Large sets: lookups and the iterator; prefix enumeration of a sample.
                for (k, key) in d.keys.enumerated() { #expect(d.dictionary.lookup(key) == d.entries[k]) }
                let present = Set(d.keys)
                for key in d.absentKeys() where !present.contains(key) { #expect(d.dictionary.lookup(key) == nil, "\(key)") }
                for _ in 0..<40 {
                    let key = rng.pick(d.keys)
                    let prefix = Array(key.prefix(rng.int(0...key.count)))
                    var found: [TermDictionary.Entry] = []
                    d.dictionary.forEach(withPrefix: prefix) { e, _ in found.append(e) }
                    #expect(found == d.keys.indices.filter { d.keys[$0].starts(with: prefix) }.map { d.entries[$0] }, "\(prefix)")
                }
            }
        }
    }

    /// Damaged blocks (random bytes, valid blocks with bytes flipped, offsets past the end):
    /// lookups and prefix enumerations return something or nothing, never trap or run away.
    @Test func damagedBlocksNeverTrap() {
        var rng = SplitMix64(0xDA_4A6E)
        let keys = sortedDistinct((0..<200).map { _ in randomKey(rng.int(0...12), [0x61, 0x62, 0xE4, 0xB8, 0x00, 0xFF], &rng) })
        let valid = BuiltDictionary(keys, &rng)
        var probes = valid.keys + valid.absentKeys()
        probes.append(Array(repeating: 0x61, count: 300))
        for round in 0..<300 {
            var entries = valid.dictionary.entries.array(0..<valid.dictionary.entries.count)
            var offsets = valid.dictionary.blockOffsets.array(0..<valid.dictionary.blockOffsets.count)
            switch round % 3 {
            case 0: entries = (0..<rng.int(0...600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1: for _ in 0..<rng.int(1...8) where !entries.isEmpty { entries[rng.int(0..<entries.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            default: for _ in 0..<rng.int(1...3) where !offsets.isEmpty { offsets[rng.int(0..<offsets.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            let d = TermDictionary(entries: ByteBuffer(entries), blockOffsets: ByteBuffer(offsets), termCount: rng.chance(50) ? keys.count : rng.int(0...400))
            for key in probes.prefix(120) {
                _ = d.lookup(key)
                var n = 0
                d.forEach(withPrefix: Array(key.prefix(2))) { _, _ in n += 1 }
                #expect(n <= max(d.termCount, 0))
            }
        }
    }

    @Test func emptyDictionary() {
        let built = TermDictionary.build([])
        let d = TermDictionary(entries: ByteBuffer(built.entries), blockOffsets: ByteBuffer(built.blockOffsets), termCount: 0)
        #expect(d.blockCount == 0)
        #expect(d.lookup([0x61]) == nil && d.lookup([]) == nil)
        var called = false
        d.forEach(withPrefix: []) { _, _ in called = true }
        #expect(!called)
        var it = TermDictionary.Iterator(d, block: 0)
        #expect(it.next() == nil)
    }

    /// `entries` with chunk checksums as a format 4 file has them (of `checksummed`: the bytes
    /// the checksums were computed over, so that a change after it is plain damage).
    private static func mapped(_ d: TermDictionary, entries: [UInt8], checksummed: [UInt8]) -> TermDictionary {
        let size = SectionChecksum.chunkSize
        var chunks: [UInt8] = []
        for start in stride(from: 0, to: checksummed.count, by: size) {
            let crc = Checksum.crc32c(Array(checksummed[start..<min(checksummed.count, start + size)]))
            for k in 0..<4 { chunks.append(UInt8(truncatingIfNeeded: crc >> (8 * k))) }
        }
        let buffer = ByteBuffer(entries)
        let check = SectionChecksum(path: "dictionary", bytes: buffer, expected: Checksum.crc32c(checksummed), chunks: ByteBuffer(chunks))
        return TermDictionary(entries: buffer, blockOffsets: d.blockOffsets, termCount: d.termCount, entriesCheck: check)
    }

    /// A mapped dictionary is verified around each lookup: the answers are ``TermDictionary/locate(_:)``'s
    /// and read a chunk or two; plain damage is a checksum error where a lookup reads it (never a
    /// wrong entry); keys out of order under valid checksums are reported by the lookups around them.
    @Test func checkedLookupsVerifyAroundTheirBlock() throws {
        var rng = SplitMix64(0xD1C7)
        // ~40,000 keys of 2–12 bytes: a dictionary of several 64 KiB chunks.
        let keys = Array(Set((0..<40_000).map { _ in (0..<rng.int(2...12)).map { _ in UInt8(rng.int(0x61...0x7A)) } })).sorted { $0.lexicographicallyPrecedes($1) }
        let built = BuiltDictionary(keys, &rng)
        let bytes = built.dictionary.entries.array(0..<built.dictionary.entries.count)
        let intact = Self.mapped(built.dictionary, entries: bytes, checksummed: bytes)
        let check = try #require(intact.entriesCheck)
        #expect(check.chunkCount >= 4, "\(check.chunkCount) chunks")
        let probes = (0..<400).map { _ in rng.pick(keys) } + (0..<200).map { _ in (0..<rng.int(1...12)).map { _ in UInt8(rng.int(0x60...0x7B)) } }
        let one = probes[0]
        _ = intact.checkedLocate(one)
        #expect((1...2).contains(check.verifiedChunks.count), "one lookup verified \(check.verifiedChunks.count) chunks")
        for key in probes {
            let (found, damage) = intact.checkedLocate(key)
            #expect(damage == .none)
            #expect(found?.entry == built.dictionary.locate(key)?.entry && found?.postingsEnd == built.dictionary.locate(key)?.postingsEnd)
        }
        var prefixed = 0
        #expect(intact.checkedForEach(withPrefix: [0x61, 0x62]) { _, _ in prefixed += 1 } == .none)
        #expect(prefixed == keys.filter { $0.starts(with: [0x61, 0x62]) }.count)

        // Plain damage (a byte changed, checksums as before) in one chunk, ten times over.
        for _ in 0..<10 {
            var damaged = bytes
            let at = rng.int(0..<damaged.count)
            damaged[at] ^= UInt8(rng.int(1...255))
            let d = Self.mapped(built.dictionary, entries: damaged, checksummed: bytes)
            var mismatches = 0
            for key in probes {
                let (found, damage) = d.checkedLocate(key)
                if damage == .checksum { mismatches += 1; continue }
                #expect(damage == .none, "plain damage reported as \(damage)")
                #expect(found?.entry == built.dictionary.locate(key)?.entry, "a wrong answer from a damaged chunk (byte \(at))")
            }
            #expect(mismatches > 0 && mismatches < probes.count, "\(mismatches) of \(probes.count) lookups saw the damaged chunk")
        }

        // Crafted: a block's first key made the smallest of all, checksums recomputed.
        let b = built.dictionary.blockCount / 2
        let (o, _) = built.dictionary.firstKey(of: b)
        var crafted = bytes
        crafted[o] = 0x00
        let d = Self.mapped(built.dictionary, entries: crafted, checksummed: crafted)
        var orderErrors = 0
        for key in keys[((b - 1) * TermDictionary.blockSize)..<((b + 2) * TermDictionary.blockSize)] {
            let (found, damage) = d.checkedLocate(key)
            if damage == .dictionaryOrder { orderErrors += 1; continue }
            #expect(damage == .none)
            #expect(found == nil || found?.entry == built.dictionary.locate(key)?.entry)
        }
        #expect(orderErrors > 0, "no lookup around block \(b) saw its first key out of order")
    }
}
