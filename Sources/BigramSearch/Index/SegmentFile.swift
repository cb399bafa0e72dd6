/// Encodes a ``Segment`` as one file and decodes it back from a memory-mapped buffer without
/// copying (docs/FORMAT.md §Segment file).
///
/// ```
/// header   magic "BSEG", version u32, sectionCount u32, documentCount u32, uid u64
/// table    sectionCount × (kind u32, field u32, offset u64, length u64, crc32c u32, 0 u32)
/// tableCRC crc32c of header + table (u32), 0 (u32)
/// sections each at an 8-byte aligned offset
/// ```
enum SegmentFile {
    static let magic: [UInt8] = Array("BSEG".utf8)
    /// 4: a CRC-32C per 64 KiB of every section (section kind 12), so that a query verifies
    /// only what it reads. 3: value columns of typed fields (section kinds 10 and 11). 2: postings as one bit
    /// stream per block (version 1 files were written with two postings layouts under the same
    /// number, so version 1 is refused whole; docs/FORMAT.md §Versions). Version 2 files are read:
    /// they are version 3 files without value columns (their schemas have no typed field); version
    /// 2 and 3 files have no chunk checksums (their sections are verified whole on first use).
    static let version: UInt32 = 4
    /// The oldest version read.
    static let oldestReadVersion: UInt32 = 2

    enum Kind: UInt32 {
        case idOffsets = 1, idBytes, storedOffsets, storedBytes, dictionaryEntries, dictionaryBlocks,
             postings, lengths, fieldInfo, numericColumn, keywordColumn, chunkChecksums
    }

    /// The file of a segment, in memory (see ``write(_:to:)``).
    static func encode(_ segment: Segment) -> [UInt8] {
        do { return try write(segment, to: nil) ?? [] } catch { preconditionFailure("writing to memory failed: \(error)") }
    }

    /// Writes the file of `segment` to `file` (fsynced and closed on return), or returns it when
    /// `file` is nil: each section written from the buffer that holds it (never copied into one
    /// array of the file first), in kind order — ids, stored fields (deflated), value columns,
    /// then each indexed field's dictionary, postings, lengths and info — then the chunk
    /// checksums (``SegmentFileWriter``, which merges write through as well).
    static func write(_ segment: Segment, to file: FileSystem.OutputFile?) throws(StorageError) -> [UInt8]? {
        var sections: [(Kind, Int, ByteBuffer)] = [
            (.idOffsets, 0, segment.ids.offsets), (.idBytes, 0, segment.ids.bytes),
        ]
        for (f, table) in segment.stored.enumerated() {
            if let table {
                let packed = table.deflated()
                sections += [(.storedOffsets, f, packed.offsets), (.storedBytes, f, packed.bytes)]
            }
        }
        for (f, column) in segment.columns.enumerated() {
            switch column {
            case .numeric(let c)?: sections.append((.numericColumn, f, c.bytes))
            case .keyword(let c)?: sections.append((.keywordColumn, f, c.bytes))
            case nil: break
            }
        }
        for (f, field) in segment.fields.enumerated() {
            guard let field else { continue }
            var info = ByteWriter()
            info.uint64(UInt64(field.dictionary.termCount))
            info.uint64(field.totalLength)
            sections += [(.dictionaryEntries, f, field.dictionary.entries), (.dictionaryBlocks, f, field.dictionary.blockOffsets),
                         (.postings, f, field.postings), (.lengths, f, field.lengths.bytes), (.fieldInfo, f, ByteBuffer(info.bytes))]
        }
        let out = try SegmentFileWriter(sectionCount: sections.count + 1, documentCount: segment.documentCount,
                                        uid: segment.uid, file: file)
        for (kind, field, bytes) in sections { try out.section(kind, field: field, bytes) }
        return try out.finish()
    }

    static func align(_ n: Int) -> Int { (n + 7) & ~7 }

    /// An entry of the section table.
    struct Section {
        var kind: Kind
        var field: Int
        var offset: Int
        var length: Int
        var crc: UInt32
    }

    /// Bytes of the header, the section table and its CRC: where the first section may start.
    static func headerSize(sectionCount: Int) -> Int { 24 + 32 * sectionCount + 8 }

    /// The header, section table and table CRC of a file with `sections` (``headerSize(sectionCount:)`` bytes).
    static func header(_ sections: [Section], documentCount: Int, uid: UInt64) -> [UInt8] {
        var w = ByteWriter()
        w.bytes += magic
        w.uint32(version)
        w.uint32(UInt32(sections.count))
        w.uint32(UInt32(documentCount))
        w.uint64(uid)
        for s in sections {
            w.uint32(s.kind.rawValue)
            w.uint32(UInt32(s.field))
            w.uint64(UInt64(s.offset))
            w.uint64(UInt64(s.length))
            w.uint32(s.crc)
            w.uint32(0)
        }
        w.uint32(Checksum.crc32c(w.bytes))
        w.uint32(0)
        return w.bytes
    }

    /// The number of sections of a segment of `schema` (what ``write(_:to:)`` writes): ids,
    /// the stored fields, the typed fields' columns, the indexed fields' five sections and the
    /// chunk checksums.
    static func sectionCount(_ schema: Schema) -> Int {
        3 + schema.fields.reduce(0) { n, f in
            n + (f.storesText ? 2 : 0) + (f.indexed ? 5 : 0) + (f.kind.isTyped && schema.hasTypedFields ? 1 : 0)
        }
    }

    /// Decodes a segment file: checks the header, the section table and its checksum, and the
    /// sizes of the sections. Section checksums are verified on first use (``SectionChecksum``);
    /// `verifyNow` verifies them all here. `path` names the file in errors and becomes the
    /// segment's ``Segment/origin`` unless `mapped` is false (a file image built in memory).
    static func decode(_ buffer: ByteBuffer, path: String, schema: Schema, verifyNow: Bool = false,
                       mapped: Bool = true) throws(StorageError) -> Segment {
        func corrupt(_ why: String) -> StorageError { .corrupt(path: path, reason: why) }
        guard buffer.count >= 24 else { throw corrupt("file is \(buffer.count) bytes, shorter than a header") }
        guard buffer.array(0..<4) == magic else { throw corrupt("not a segment file (bad magic)") }
        let version = buffer.uint32(at: 4)
        guard version >= Self.oldestReadVersion && version <= Self.version else {
            throw .unsupportedVersion(path: path, found: version, supported: Self.version)
        }
        let count = Int(buffer.uint32(at: 8))
        let documentCount = Int(buffer.uint32(at: 12))
        let uid = buffer.uint64(at: 16)
        let tableEnd = 24 + 32 * count
        guard count < 1 << 16, tableEnd + 8 <= buffer.count else { throw corrupt("section table runs past the end of the file") }
        guard Checksum.crc32c(buffer, 0..<tableEnd) == buffer.uint32(at: tableEnd) else { throw .checksumMismatch(path: path) }
        var sections: [Kind: [Int: ByteBuffer]] = [:]
        var checks: [Kind: [Int: SectionChecksum]] = [:]
        func bounds(_ i: Int) throws(StorageError) -> Range<Int> {
            let at = 24 + 32 * i
            let offset = buffer.uint64(at: at + 8), length = buffer.uint64(at: at + 16)
            guard offset <= UInt64(buffer.count), length <= UInt64(buffer.count) - offset else {
                throw corrupt("section \(i) runs past the end of the file (truncated?)")
            }
            return Int(offset)..<Int(offset + length)
        }
        // Format 4 on: the chunk checksums (verified now: about 0.006% of the file), one run per
        // other section in table order, exactly as many as their lengths need.
        var chunkTable = ByteBuffer()
        if version >= 4 {
            let found = (0..<count).filter { buffer.uint32(at: 24 + 32 * $0) == Kind.chunkChecksums.rawValue }
            guard found.count == 1 else { throw corrupt("\(found.count) chunk checksum sections") }
            chunkTable = buffer.slice(try bounds(found[0]))
            try SectionChecksum(path: path, bytes: chunkTable, expected: buffer.uint32(at: 24 + 32 * found[0] + 24)).verify()
            var needed = 0
            for i in 0..<count where i != found[0] { needed += 4 * SectionChecksum.chunkCount(try bounds(i).count) }
            guard needed == chunkTable.count else { throw corrupt("\(chunkTable.count / 4) chunk checksums, the sections need \(needed / 4)") }
        }
        var chunkAt = 0
        for i in 0..<count {
            let at = 24 + 32 * i
            let slice = buffer.slice(try bounds(i))
            guard let kind = Kind(rawValue: buffer.uint32(at: at)) else { throw corrupt("unknown section kind \(buffer.uint32(at: at))") }
            if kind == .chunkChecksums {
                guard version >= 4 else { throw corrupt("unknown section kind \(kind.rawValue) in a version \(version) file") }
                continue
            }
            var chunks = ByteBuffer()
            if version >= 4 {
                let n = 4 * SectionChecksum.chunkCount(slice.count)
                chunks = chunkTable.slice(chunkAt..<(chunkAt + n))
                chunkAt += n
            }
            let check = SectionChecksum(path: path, bytes: slice, expected: buffer.uint32(at: at + 24), chunks: chunks)
            // Tiny sections read during decoding are verified now; the rest on first use.
            if verifyNow || kind == .fieldInfo || kind == .dictionaryBlocks { try check.verify() }
            sections[kind, default: [:]][Int(buffer.uint32(at: at + 4))] = slice
            checks[kind, default: [:]][Int(buffer.uint32(at: at + 4))] = check
        }
        func section(_ kind: Kind, _ field: Int = 0) throws(StorageError) -> ByteBuffer {
            guard let s = sections[kind]?[field] else { throw corrupt("missing section \(kind) of field \(field)") }
            return s
        }
        func tableChecks(_ offsets: Kind, _ bytes: Kind, _ f: Int) -> (offsets: SectionChecksum, bytes: SectionChecksum)? {
            guard let o = checks[offsets]?[f], let b = checks[bytes]?[f] else { return nil }
            return (o, b)
        }
        let ids = StoredTable(offsets: try section(.idOffsets), bytes: try section(.idBytes), checks: tableChecks(.idOffsets, .idBytes, 0))
        guard ids.count == documentCount else { throw corrupt("\(ids.count) ids for \(documentCount) documents") }
        var stored: [StoredTable?] = []
        var fields: [FieldIndex?] = []
        for (f, field) in schema.fields.enumerated() {
            if field.storesText {
                let t = StoredTable(offsets: try section(.storedOffsets, f), bytes: try section(.storedBytes, f),
                                    checks: tableChecks(.storedOffsets, .storedBytes, f))
                guard t.count == documentCount else { throw corrupt("field \(field.name): \(t.count) stored values for \(documentCount) documents") }
                stored.append(t)
            } else {
                stored.append(nil)
            }
            if field.indexed {
                let info = try section(.fieldInfo, f)
                let lengths = FieldLengths(bytes: try section(.lengths, f))
                let blocks = try section(.dictionaryBlocks, f)
                let rawTermCount = info.uint64(at: 0), totalLength = info.uint64(at: 8)
                // Checked here in O(1); the lengths themselves on first use (Segment.quickCheck).
                guard info.count == 16, lengths.bytes.count == 4 * documentCount, blocks.count % 4 == 0,
                      totalLength <= UInt64(documentCount) * UInt64(UInt32.max),
                      rawTermCount <= UInt64(blocks.count / 4) * UInt64(TermDictionary.blockSize),
                      rawTermCount > UInt64(max(0, blocks.count / 4 - 1)) * UInt64(TermDictionary.blockSize) || blocks.count == 0
                else {
                    throw corrupt("field \(field.name): inconsistent sizes")
                }
                let entries = try section(.dictionaryEntries, f)
                // Block offsets must ascend inside the entries, or lookups would read elsewhere.
                var previous: UInt32 = 0
                for b in 0..<(blocks.count / 4) {
                    let o = blocks.uint32(at: 4 * b)
                    guard o >= previous, Int(o) < max(entries.count, 1), b > 0 || o == 0 else {
                        throw corrupt("field \(field.name): dictionary block \(b) starts outside the dictionary")
                    }
                    previous = o
                }
                fields.append(FieldIndex(
                    dictionary: TermDictionary(entries: entries, blockOffsets: blocks, termCount: Int(rawTermCount),
                                               entriesCheck: checks[.dictionaryEntries]?[f]),
                    postings: try section(.postings, f), lengths: lengths, totalLength: totalLength,
                    postingsCheck: checks[.postings]?[f]))
            } else {
                fields.append(nil)
            }
        }
        var columns: [ValueColumn?] = []
        if schema.hasTypedFields {
            for (f, field) in schema.fields.enumerated() {
                guard field.kind.isTyped else { columns.append(nil); continue }
                let kind: Kind = field.kind == .keyword ? .keywordColumn : .numericColumn
                let bytes = try section(kind, f)
                // The column is validated when opened (its values, against its header): verify
                // its checksum first, so that damage is reported as damage of the file.
                try checks[kind]![f]!.verify()
                columns.append(try ValueColumn(bytes, kind: field.kind, documentCount: documentCount, path: path, field: field.name))
            }
        }
        let storedKinds: [Kind] = [.idOffsets, .idBytes, .storedOffsets, .storedBytes]
        let storedChecks = storedKinds.flatMap { k in (checks[k] ?? [:]).values }
        // (The postings' checksum is the field index's: verified term by term; so is the
        // dictionary's when it has chunk checksums: around each lookup.)
        let fieldKinds: [Kind] = [.dictionaryEntries, .dictionaryBlocks, .lengths]
        let fieldChecks = schema.fields.indices.map { f in
            fieldKinds.compactMap { k in checks[k]?[f].flatMap { k == .dictionaryEntries && $0.hasChunks ? nil : $0 } }
        }
        return Segment(documentCount: documentCount, ids: ids, stored: stored, fields: fields, uid: uid, origin: mapped ? path : nil,
                       storedChecks: storedChecks, fieldChecks: fieldChecks,
                       columns: columns, columnChecks: [])
    }
}
