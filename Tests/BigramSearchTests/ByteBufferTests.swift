import Testing
@testable import BigramSearch

// ByteBuffer's ownership: every copy, slice, reader and postings cursor keeps the memory it reads
// alive (no pointer outlives its buffer by construction), the memory is freed when the last of
// them goes, and the range-taking reads check their ranges.

/// Memory for a ByteBuffer that reports when it is freed.
private final class TrackedStorage: ByteStorage, @unchecked Sendable {   // (never written after init)
    private let pointer: UnsafeMutableRawPointer
    private let count: Int
    private let freed: FreedFlag
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }

    init(_ array: [UInt8], freed: FreedFlag) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(1, array.count), alignment: 8)
        array.withUnsafeBytes { if let s = $0.baseAddress { p.copyMemory(from: s, byteCount: $0.count) } }
        pointer = p
        count = array.count
        self.freed = freed
    }

    deinit {
        pointer.deallocate()
        freed.set()
    }
}

/// Whether the storage of a buffer was freed: shared by the storage and the test.
private final class FreedFlag: Sendable {
    private let value = Locked(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

@Suite(.checksSegmentInvariants) struct ByteBufferTests {
    @Test func copiesSlicesAndReadersKeepTheStorageAlive() {
        let freed = FreedFlag()
        var writer = ByteWriter()
        for v: UInt64 in [1, 300, 70_000, 1 << 40] { writer.varint(v) }
        let bytes = writer.bytes
        var slice: ByteBuffer? = nil
        var reader: ByteReader? = nil
        do {
            let buffer = ByteBuffer(storage: TrackedStorage(bytes, freed: freed))
            slice = buffer.slice(1..<buffer.count)
            reader = ByteReader(buffer)
        }
        // The buffer is gone; its slice and the reader still hold the storage.
        #expect(!freed.isSet)
        #expect(reader!.varint() == 1 && reader!.varint() == 300)
        #expect(slice!.array(0..<slice!.count) == Array(bytes.dropFirst()))
        reader = nil
        #expect(!freed.isSet)
        slice = nil
        #expect(freed.isSet, "freed when the last buffer over it went")
    }

    @Test func aCursorOutlivesTheSnapshotItCameFrom() throws {
        // A cursor over a memory-mapped segment, read after the snapshot (and so the segment and
        // its field index) was released: the cursor holds the mapping.
        let writer = try IndexWriter(schema: .text)
        try writer.add(contentsOf: (0..<300).map { Document(id: "d\($0)", text: "常熟市\($0 % 7)号 沙家浜 \($0)") })
        let dir = temporaryIndexPath("cursor-lifetime")
        defer { removeDirectory(dir) }
        try IndexStore.save(writer.snapshot(), to: dir)

        func read(_ cursor: PostingsCursor) -> [[UInt32]] {
            var c = cursor, out: [[UInt32]] = []
            while c.doc != PostingsCursor.exhausted {
                var p: [UInt32] = [c.doc]
                #expect(c.positions(into: &p))
                out.append(p)
                c.next()
            }
            #expect(!c.isDamaged)
            return out
        }
        var cursor: PostingsCursor
        var expected: [[UInt32]]
        do {
            let snapshot = try IndexStore.open(at: dir)
            let field = try #require(snapshot.segments.first?.fields.first ?? nil)
            var it = TermDictionary.Iterator(field.dictionary, block: 0)
            var widest: TermDictionary.Entry?
            while let e = it.next() {
                if e.docFrequency > widest?.docFrequency ?? 0 { widest = e }
            }
            let entry = try #require(widest)
            #expect(entry.docFrequency > PostingsEncoding.blockSize, "a term with several blocks")
            cursor = field.cursor(entry)
            expected = read(field.cursor(entry))
        }
        #expect(read(cursor) == expected)
        #expect(expected.count > PostingsEncoding.blockSize)
    }

    @Test func rangeReadsAndEmptyBuffers() {
        let b = ByteBuffer(Array("中文 search".utf8))
        #expect(b.string(0..<6) == "中文" && b.string(7..<b.count) == "search")
        #expect(b.string(0..<1) == "\u{FFFD}", "a cut character decodes as U+FFFD")
        var out: [UInt8] = [1]
        b.append(7..<9, to: &out)
        #expect(out == [1, 0x73, 0x65])
        var w = ByteWriter()
        w.append(b, 7..<9)
        w.append(b.slice(10..<b.count))
        #expect(w.bytes == Array("serch".utf8))
        #expect(b.withUnsafeBytes(in: 3..<6) { Array($0) } == Array("文".utf8))
        #expect(b.array(4..<4) == [] && b.string(b.count..<b.count) == "")

        let empty = ByteBuffer()
        #expect(empty.count == 0 && empty[0] == 0 && empty.uint64(at: 0) == 0 && empty.bits(at: 0, width: 8) == 0)
        #expect(empty.array(0..<0) == [] && empty.slice(0..<0).count == 0)
        #expect(ByteBuffer([]).count == 0 && ByteBuffer([]).array(0..<0) == [])
        #expect(empty.withUnsafeBytes(in: 0..<0) { $0.count } == 0)
        // Reads at offsets near Int.max do not overflow.
        #expect(b.uint32(at: Int.max - 2) == 0 && b.uint64(at: Int.max) == 0 && b[Int.min] == 0)
    }

    @Test func anEmptyCursorIsExhaustedAndUndamaged() {
        var c = PostingsCursor()
        #expect(c.doc == PostingsCursor.exhausted && !c.isDamaged && c.docFrequency == 0)
        #expect(!c.next() && !c.advance(to: 3) && c.doc == PostingsCursor.exhausted && !c.isDamaged)
    }
}
