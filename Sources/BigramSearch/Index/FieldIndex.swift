/// The frozen inverted index of one field in one segment: term dictionary, postings, and each
/// document's field length.
struct FieldIndex: Sendable {
    let dictionary: TermDictionary
    let postings: ByteBuffer
    /// Position count of each document's field (BM25's document length).
    let lengths: FieldLengths
    let totalLength: UInt64
    /// The postings' checksum, verified term by term as searches read them (nil in memory).
    var postingsCheck: SectionChecksum? = nil

    /// Assembles a field index from sorted dictionary entries, encoded postings and lengths.
    static func build(entries: [(key: [UInt8], entry: TermDictionary.Entry)], postings: ByteWriter,
                      lengths: FieldLengthsBuilder, totalLength: UInt64) -> FieldIndex {
        var dictionary = TermDictionary.Builder()
        for (key, e) in entries { dictionary.append(key, e) }
        return build(dictionary: dictionary, postings: postings, lengths: lengths, totalLength: totalLength)
    }

    /// A field index of a dictionary built entry by entry (``TermDictionary/Builder``).
    static func build(dictionary: TermDictionary.Builder, postings: ByteWriter,
                      lengths: FieldLengthsBuilder, totalLength: UInt64) -> FieldIndex {
        var postings = postings
        postings.padTail()
        let dict = dictionary.finish()
        var lengthBytes = ByteWriter()
        lengthBytes.bytes.reserveCapacity(lengths.count * 4)
        for v in lengths.values { lengthBytes.uint32(v) }
        return FieldIndex(
            dictionary: TermDictionary(entries: ByteBuffer(dict.entries), blockOffsets: ByteBuffer(dict.blockOffsets),
                                       termCount: dictionary.count),
            postings: ByteBuffer(postings.bytes),
            lengths: FieldLengths(bytes: ByteBuffer(lengthBytes.bytes)),
            totalLength: totalLength)
    }

    /// Whether a dictionary entry can be followed: a document frequency of 1…documents and an
    /// offset inside the postings (a cursor checks the rest as it reads).
    @inline(__always) func isPlausible(_ entry: TermDictionary.Entry) -> Bool {
        entry.docFrequency > 0 && entry.docFrequency <= lengths.count
            && entry.postingsOffset >= 0 && entry.postingsOffset < postings.count
    }

    /// Verifies the checksums of the postings from `entry`'s offset to `end` (nil: the
    /// section's end), the bytes a cursor over them reads. Nothing for postings in memory.
    func verifyPostings(_ entry: TermDictionary.Entry, end: Int?) throws(StorageError) {
        guard let postingsCheck else { return }
        let start = max(0, entry.postingsOffset)
        try postingsCheck.verify(start..<max(start + 1, min(end ?? postings.count, postings.count)))
    }

    func cursor(_ entry: TermDictionary.Entry) -> PostingsCursor {
        PostingsCursor(buffer: postings, lengths: lengths, offset: entry.postingsOffset, docFrequency: entry.docFrequency)
    }

    /// Bytes of postings + dictionary (what "index size" counts, without stored text).
    var byteCount: Int { dictionary.entries.count + dictionary.blockOffsets.count + postings.count + lengths.bytes.count }
}
