// libFuzzer entry points for the readers (built by Fuzz/run.sh, not by SwiftPM). The target is
// chosen at compile time: -D FUZZ_SEGMENT, -D FUZZ_QUERY or -D FUZZ_ANALYZER. A finding is a
// crash: a trap, an out-of-bounds access (AddressSanitizer), a timeout or an allocation beyond
// -rss_limit_mb / -malloc_limit_mb.
@testable import BigramSearch

/// A small valid index of three documents of three fields, built once.
private let schema = Schema([.init("title", boost: 2), .init("body"), .init("tags", stored: false)])
private let base: IndexSnapshot = {
    let w = try! IndexWriter(schema: schema)
    let texts = ["常熟市发展经济 Linux内核 version 3", "小微企业的发展 kernel linux 常熟", "經濟發展 體育館 Swift 2000亿元"]
    for (i, t) in texts.enumerated() {
        for copy in 0..<50 {
            try! w.add(Document(id: "d\(i)-\(copy)", fields: ["title": String(t.prefix(4 + copy % 5)), "body": t + " \(copy)",
                                                            "tags": copy % 2 == 0 ? "偶数 even" : "奇数 odd"]))
        }
    }
    return w.snapshot()
}()
private let baseFile: [UInt8] = SegmentFile.encode(base.segments[0])
private let queries = ["常", "常熟", "发展", "\"经济 发展\"", "linu*", "常熟 OR 企业", "发展 -常熟", "title:常熟", "tags:even", "tags:数", "version"]

private func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}
private func u64(_ b: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(b, at)) | UInt64(u32(b, at + 4)) << 32 }
private func setU32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
}

/// Recomputes every section CRC and the table CRC (so mutations reach the decoders).
private func recomputeChecksums(_ b: inout [UInt8]) {
    guard b.count >= 24 else { return }
    let count = Int(u32(b, 8)), tableEnd = 24 + 32 * count
    guard count < 1 << 16, tableEnd + 8 <= b.count else { return }
    for i in 0..<count {
        let at = 24 + 32 * i
        let o = u64(b, at + 8), l = u64(b, at + 16)
        guard o <= UInt64(b.count), l <= UInt64(b.count) - o else { continue }
        setU32(&b, at + 24, Checksum.crc32c(Array(b[Int(o)..<Int(o + l)])))
    }
    setU32(&b, tableEnd, Checksum.crc32c(Array(b[0..<tableEnd])))
}

/// Byte ranges of the index-field sections (kinds 5–9) of the valid file: where edits go, unless
/// built with -D FUZZ_SEGMENT_ALL (then anywhere, header, table and stored text included; the
/// stored-text readers are another engineer's and known to trap on crafted values).
private let editable: [Range<Int>] = {
    let count = Int(u32(baseFile, 8))
    #if FUZZ_SEGMENT_ALL
    return [0..<baseFile.count]
    #else
    return (0..<count).compactMap { i in
        let at = 24 + 32 * i, kind = u32(baseFile, at)
        let o = Int(u64(baseFile, at + 8)), l = Int(u64(baseFile, at + 16))
        return kind >= 5 && kind <= 9 && l > 0 ? o..<(o + l) : nil
    }
    #endif
}()
private let editableBytes = editable.reduce(0) { $0 + $1.count }

/// Input: edits of the valid file — 5-byte records (offset u32 % editable bytes, xor byte).
/// Checksums are recomputed unless the input's second byte is 0xFE (then damage must be a
/// checksum error).
private func segmentTarget(_ input: [UInt8]) {
    var file = baseFile
    var i = 0
    while i + 5 <= input.count {
        var at = Int(u32(input, i)) % editableBytes
        for r in editable { if at < r.count { at += r.lowerBound; break } else { at -= r.count } }
        file[at] ^= input[i + 4]
        i += 5
    }
    if input.count < 2 || input[1] != 0xFE { recomputeChecksums(&file) }
    let path = "/fuzz/seg.bgs"
    guard let segment = try? SegmentFile.decode(ByteBuffer(file), path: path, schema: schema) else { return }
    let s = IndexSnapshot(schema: schema, analyzer: base.analyzer, segments: [segment],
                          deletions: [DocumentSet(capacity: segment.documentCount)])
    for q in queries {
        do { _ = try s.search(q, options: SearchOptions(limit: 5, highlight: HighlightOptions())) } catch {
            guard case .damagedIndex = error else { fatalError("search threw \(error)") }
        }
    }
    _ = try? s.matchingIDs(.phrase("发展"))
    _ = try? s.statistics
    _ = try? segment.verifyAll()
}

/// Input: UTF-8 (invalid sequences replaced) parsed strictly and leniently, then searched.
private func queryTarget(_ input: [UInt8]) {
    let text = String(decoding: input, as: UTF8.self)
    let parser = base.queryParser
    if let q = try? parser.parse(text) {
        precondition(parser.parseLenient(text) == q, "strict and lenient parses differ")
    }
    let q = parser.parseLenient(text)
    do { _ = try base.search(q, options: SearchOptions(limit: 5, highlight: HighlightOptions())) } catch {
        switch error {
        case .unknownField, .syntax: break
        default: fatalError("search threw \(error)")
        }
    }
}

/// Input: UTF-8 text analyzed with every option; token ranges must lie on scalar boundaries
/// inside the text and positions must not go back.
private let analyzers = [try! BigramAnalyzer(), try! BigramAnalyzer(.init(foldTraditional: true, emitUnigrams: true))]
private func analyzerTarget(_ input: [UInt8]) {
    let text = String(decoding: input, as: UTF8.self)
    let utf8 = Array(text.utf8)
    for a in analyzers {
        var previous = Int.min
        for t in a.tokens(in: text) {
            let r = t.utf8Range
            precondition(r.lowerBound >= 0 && r.lowerBound < r.upperBound && r.upperBound <= utf8.count, "range \(r)")
            precondition(utf8[r.lowerBound] & 0xC0 != 0x80 && (r.upperBound == utf8.count || utf8[r.upperBound] & 0xC0 != 0x80), "inside a scalar")
            precondition(t.position >= previous, "positions go back")
            previous = t.position
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    #if FUZZ_SEGMENT
    segmentTarget(input)
    #elseif FUZZ_QUERY
    queryTarget(input)
    #else
    analyzerTarget(input)
    #endif
    return 0
}
