/// The frozen inverted index of one field in one segment: term dictionary, postings, and each
/// document's field length.
struct FieldIndex: Sendable {
    let dictionary: TermDictionary
    let postings: ByteBuffer
    /// Position count of each document's field (BM25's document length).
    let lengths: FieldLengths
    let totalLength: UInt64

    func cursor(_ entry: TermDictionary.Entry) -> PostingsCursor {
        PostingsCursor(buffer: postings, lengths: lengths, offset: entry.postingsOffset, docFrequency: entry.docFrequency)
    }

    /// Bytes of postings + dictionary (what "index size" counts, without stored text).
    var byteCount: Int { dictionary.entries.count + dictionary.blockOffsets.count + postings.count + lengths.bytes.count }
}
