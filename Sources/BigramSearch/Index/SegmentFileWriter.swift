/// Writes a segment file (docs/FORMAT.md §Segment file) section by section, in memory or straight
/// to a file, so that a merge never holds its output whole: each section's bytes go out as they
/// are made, their CRC-32C computed on the way, and the header and section table — known only at
/// the end — are written last over the space kept for them at the start.
///
/// The sections may come in any order (readers find them through the table); each starts at an
/// 8-byte aligned offset. The chunk checksums
/// of every section (``SectionChecksum/chunkSize`` bytes each) are computed on the way too and
/// written as the last section.
final class SegmentFileWriter {
    private let file: FileSystem.OutputFile?
    private var image: [UInt8] = []
    private let sectionCount: Int
    private var table: [SegmentFile.Section] = []
    private var open: SegmentFile.Section?
    /// The chunk checksums of the sections ended so far, and of the open one's last, partial chunk.
    private var chunkTable = ByteWriter()
    private var chunkCRC: UInt32 = 0
    private var chunkFill = 0
    let documentCount: Int
    let uid: UInt64

    /// A writer of a file of `sectionCount` sections (the chunk checksums included: ``finish()``
    /// writes them) to `file`, or to memory when nil
    /// (``finish()`` returns the bytes then).
    init(sectionCount: Int, documentCount: Int, uid: UInt64, file: FileSystem.OutputFile?) throws(StorageError) {
        self.file = file
        self.sectionCount = sectionCount
        self.documentCount = documentCount
        self.uid = uid
        try put(zeros: SegmentFile.headerSize(sectionCount: sectionCount))
    }

    /// Bytes written so far (the header's space included).
    var count: Int { file?.count ?? image.count }

    /// Starts a section; the bytes appended until ``end()`` are its contents.
    func begin(_ kind: SegmentFile.Kind, field: Int) throws(StorageError) {
        precondition(open == nil, "a section is already open")
        try put(zeros: SegmentFile.align(count) - count)
        open = SegmentFile.Section(kind: kind, field: field, offset: count, length: 0, crc: 0)
    }

    func append(_ bytes: [UInt8]) throws(StorageError) {
        precondition(open != nil, "no section is open")
        open!.crc = Checksum.crc32c(bytes, seed: open!.crc)
        addChunks(bytes.count) { r, seed in Checksum.crc32c(bytes, r, seed: seed) }
        try put(bytes)
    }

    /// Appends the bytes `range` of `buffer`.
    func append(_ buffer: ByteBuffer, _ range: Range<Int>) throws(StorageError) {
        precondition(open != nil, "no section is open")
        open!.crc = Checksum.crc32c(buffer, range, seed: open!.crc)
        addChunks(range.count) { r, seed in Checksum.crc32c(buffer, (range.lowerBound + r.lowerBound)..<(range.lowerBound + r.upperBound), seed: seed) }
        if let file { try file.append(buffer, range) } else { buffer.append(range, to: &image) }
    }

    /// Ends the open section.
    func end() {
        guard var s = open else { preconditionFailure("no section is open") }
        s.length = count - s.offset
        table.append(s)
        open = nil
        if chunkFill > 0 { chunkTable.uint32(chunkCRC) }
        chunkCRC = 0
        chunkFill = 0
    }

    /// Counts `n` appended bytes into the open section's chunks: `crc(range, seed)` is the CRC of
    /// the bytes `range` (0-based within the append) continuing `seed`.
    private func addChunks(_ n: Int, _ crc: (Range<Int>, UInt32) -> UInt32) {
        var done = 0
        while done < n {
            let take = min(n - done, SectionChecksum.chunkSize - chunkFill)
            chunkCRC = crc(done..<(done + take), chunkCRC)
            chunkFill += take
            done += take
            if chunkFill == SectionChecksum.chunkSize {
                chunkTable.uint32(chunkCRC)
                chunkCRC = 0
                chunkFill = 0
            }
        }
    }

    /// A whole section at once.
    func section(_ kind: SegmentFile.Kind, field: Int, _ bytes: ByteBuffer) throws(StorageError) {
        try begin(kind, field: field)
        try append(bytes, 0..<bytes.count)
        end()
    }

    /// A whole section at once, from an array.
    func section(_ kind: SegmentFile.Kind, field: Int, _ bytes: [UInt8]) throws(StorageError) {
        try begin(kind, field: field)
        try append(bytes)
        end()
    }

    /// Writes the header and section table. In memory, returns the file's bytes; with a file,
    /// fsyncs and closes it and returns nil.
    func finish() throws(StorageError) -> [UInt8]? {
        precondition(open == nil && table.count + 1 == sectionCount, "\(table.count) of \(sectionCount - 1) sections written")
        // The chunk checksums, last (they cover the sections before them, not themselves).
        let chunks = chunkTable.bytes
        try put(zeros: SegmentFile.align(count) - count)
        table.append(SegmentFile.Section(kind: .chunkChecksums, field: 0, offset: count, length: chunks.count,
                                         crc: Checksum.crc32c(chunks)))
        try put(chunks)
        let header = SegmentFile.header(table, documentCount: documentCount, uid: uid)
        guard let file else {
            image.replaceSubrange(0..<header.count, with: header)
            return image
        }
        try file.overwrite(header, at: 0)
        try file.finish()
        return nil
    }

    /// Bytes outside any section's chunks: padding, the header's space, the chunk checksums.
    private func put(_ bytes: [UInt8]) throws(StorageError) {
        if let file { try file.append(bytes) } else { image += bytes }
    }

    private func put(zeros n: Int) throws(StorageError) {
        if n > 0 { try put([UInt8](repeating: 0, count: n)) }
    }
}
