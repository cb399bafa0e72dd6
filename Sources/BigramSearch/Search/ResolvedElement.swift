/// A pattern element looked up in one field of one segment.
struct ResolvedElement: Sendable {
    /// The dictionary entries it matches (one for a key, any number for a key prefix).
    var entries: [TermDictionary.Entry]
    var offset: Int
    /// For several entries: the documents containing any of them, ascending, with summed freqs.
    var unionDocs: [UInt32] = []
    var unionFreqs: [UInt32] = []
    /// Damage found while looking the element up (then it matches nothing and the search fails).
    var damage = PostingsDamage.none

    var documentFrequency: Int { entries.count == 1 ? entries[0].docFrequency : unionDocs.count }

    init(_ element: PhrasePattern.Element, in field: FieldIndex, interrupt: SearchInterrupt?) {
        offset = element.offset
        var ends: [Int?] = []
        switch element.match {
        case .key(let key):
            let (found, damage) = field.dictionary.checkedLocate(key)
            if let (e, end) = found { entries = [e]; ends = [end] } else { entries = [] }
            self.damage = damage
        case .keyPrefix(let prefix):
            var found: [TermDictionary.Entry] = []
            damage = field.dictionary.checkedForEach(withPrefix: prefix) { e, end in found.append(e); ends.append(end) }
            entries = found
        }
        guard damage == .none else { entries = []; return }
        // Document frequencies drive sums, allocations and loops: check them before any use.
        for e in entries where !field.isPlausible(e) { rejectEntries(field); return }
        // The checksums of the postings about to be read (of those bytes only: chunk by chunk).
        for (e, end) in zip(entries, ends) {
            do { try field.verifyPostings(e, end: end) } catch {
                damage = .checksum
                entries = []
                return
            }
        }
        if entries.count > 1 { materializeUnion(field, interrupt) }
    }

    /// Records why an entry is implausible and drops the entries (the search then fails).
    @inline(never)
    private mutating func rejectEntries(_ field: FieldIndex) {
        damage = entries.contains { $0.docFrequency <= 0 || $0.docFrequency > field.lengths.count }
            ? .documentFrequency : .offset
        entries = []
    }

    /// Merges the postings of all entries into one document list (dense counting when large).
    private mutating func materializeUnion(_ field: FieldIndex, _ interrupt: SearchInterrupt?) {
        let docCount = field.lengths.count
        // (Each docFrequency is at most docCount: no overflow.)
        let total = entries.reduce(0) { $0 + $1.docFrequency }
        if total >= (docCount + 7) / 8 {
            var counts = [UInt32](repeating: 0, count: docCount)
            for (k, e) in entries.enumerated() {
                if k & 7 == 7, interrupt?.shouldStop() == true { break }
                var c = field.cursor(e)
                while c.doc != PostingsCursor.exhausted {
                    if Int(c.doc) < docCount { counts[Int(c.doc)] &+= UInt32(truncatingIfNeeded: c.freq) }
                    c.next()
                }
                if c.isDamaged { damage = c.damage; return }
            }
            for (d, f) in counts.enumerated() where f > 0 {
                unionDocs.append(UInt32(d)); unionFreqs.append(f)
            }
        } else {
            var pairs: [UInt64] = []
            pairs.reserveCapacity(total)
            for (k, e) in entries.enumerated() {
                if k & 7 == 7, interrupt?.shouldStop() == true { break }
                var c = field.cursor(e)
                while c.doc != PostingsCursor.exhausted {
                    pairs.append(UInt64(c.doc) << 32 | UInt64(min(c.freq, Int(UInt32.max))))
                    c.next()
                }
                if c.isDamaged { damage = c.damage; return }
            }
            pairs.sort()
            for p in pairs {
                let d = UInt32(p >> 32), f = UInt32(truncatingIfNeeded: p)
                if unionDocs.last == d { unionFreqs[unionFreqs.count - 1] &+= f } else { unionDocs.append(d); unionFreqs.append(f) }
            }
        }
    }
}
