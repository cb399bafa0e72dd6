@testable import BigramSearch
import Foundation
import Testing

// A generated-mutation fuzz run of the manifest reader: valid manifests whose JSON is changed
// (values of other types, huge and negative numbers, names that leave the directory, duplicates)
// or whose bytes are flipped, each time with the length and checksum recomputed so that the
// damage reaches the JSON decoder and the validation behind it. Every case must end in a typed
// StorageError or an index that opens and searches; none may trap, hang or touch a file outside
// the index directory. BIGRAM_FUZZ_ITERATIONS runs more cases by hand.

private let iterations = ProcessInfo.processInfo.environment["BIGRAM_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 600

/// A value to put in place of another.
private func strangeValue(_ rng: inout SplitMix64) -> Any {
    switch rng.int(0..<14) {
    case 0: return NSNull()
    case 1: return -1
    case 2: return Int.max
    case 3: return 1e300
    case 4: return ""
    case 5: return "../../etc/passwd"
    case 6: return "seg-0000000000000001.bgs"
    case 7: return [1, 2, 3]
    case 8: return ["file": "MANIFEST", "documents": 1, "deleted": []] as [String: Any]
    case 9: return true
    case 10: return UInt32.max
    case 11: return "/tmp"
    case 12: return [] as [Any]
    default: return String(repeating: "長", count: rng.int(1..<300))
    }
}

/// Replaces a random value somewhere in `object` (dictionaries and arrays, recursively).
private func mutate(_ object: Any, _ rng: inout SplitMix64, depth: Int = 0) -> Any {
    if var dict = object as? [String: Any], !dict.isEmpty {
        let keys = dict.keys.sorted()
        let key = keys[rng.int(0..<keys.count)]
        switch rng.int(0..<6) {
        case 0: dict[key] = strangeValue(&rng)
        case 1: dict.removeValue(forKey: key)
        case 2: dict["extra\(rng.int(0..<3))"] = strangeValue(&rng)
        default: dict[key] = depth < 4 ? mutate(dict[key]!, &rng, depth: depth + 1) : strangeValue(&rng)
        }
        return dict
    }
    if var array = object as? [Any] {
        if array.isEmpty || rng.int(0..<4) == 0 {
            array.append(array.first.map { rng.int(0..<2) == 0 ? $0 : strangeValue(&rng) } ?? strangeValue(&rng))
            return array
        }
        let i = rng.int(0..<array.count)
        switch rng.int(0..<4) {
        case 0: array.remove(at: i)
        case 1: array.append(array[i])   // a duplicate
        default: array[i] = depth < 4 ? mutate(array[i], &rng, depth: depth + 1) : strangeValue(&rng)
        }
        return array
    }
    if let n = object as? Int, rng.int(0..<2) == 0 { return [n &+ 1, n &- 1, n &* 1000, 0 &- n, 0][rng.int(0..<5)] }
    return strangeValue(&rng)
}

@Suite(.checksSegmentInvariants) struct ManifestFuzzTests {
    @Test func mutatedManifestsGiveTypedErrorsOrWorkingIndexes() throws {
        let base = temporaryIndexPath("manifest-fuzz")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { removeDirectory(base) }
        // A valid index of two segments with a deletion.
        let dir = base + "/index"
        let w = try IndexWriter(directory: dir, mode: .create, schema: .article, options: .init(mergeFactor: 0))
        try w.add(Document(id: "a", fields: ["title": "常熟", "body": "常熟市参观考察 linux"]))
        try w.add(Document(id: "b", fields: ["body": "小微企业园"]))
        _ = w.snapshot()
        try w.add(Document(id: "c", fields: ["title": "内核", "body": "Linux内核"]))
        w.delete(id: "b")
        try w.commit()
        w.close()
        // A file outside the index that a manifest could name.
        try Data("outside".utf8).write(to: URL(fileURLWithPath: base + "/outside.bgs"))
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST")))
        let json = try JSONSerialization.jsonObject(with: Data(original[16...]))
        let filesBefore = listDirectory(dir)

        var rng = SplitMix64(0xFA57_0001)
        var outcomes: [String: Int] = [:]
        let clock = ContinuousClock()
        var slowest = Duration.zero
        for i in 0..<iterations {
            var bytes: [UInt8]
            if i % 4 == 3 {
                // Byte-level damage inside the JSON, checksum recomputed.
                var text = Array(original[16...])
                for _ in 0..<rng.int(1..<4) { text[rng.int(0..<text.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                bytes = Manifest.framed(text)
            } else {
                var object = json
                for _ in 0..<rng.int(1..<4) { object = mutate(object, &rng) }
                guard JSONSerialization.isValidJSONObject(object),
                      let data = try? JSONSerialization.data(withJSONObject: object) else { continue }
                bytes = Manifest.framed(Array(data))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/MANIFEST"))
            let start = clock.now
            do {
                let s = try IndexStore.open(at: dir)
                _ = try s.search("常熟 OR linux OR title:内核", options: SearchOptions(limit: 5, highlight: HighlightOptions()))
                _ = try s.matchingIDs(.phrase("小微"))
                outcomes["opened", default: 0] += 1
            } catch let e as StorageError {
                outcomes["\(e)".split(separator: ":").first.map(String.init) ?? "storage", default: 0] += 1
                // Errors name a file of the index directory (never one a manifest pointed to).
                #expect(e.path.hasPrefix(dir), "case \(i): \(e)")
            } catch let e as SearchError {
                outcomes["search: \(e)".prefix(40).description, default: 0] += 1
            }
            slowest = max(slowest, clock.now - start)
        }
        try Data(original).write(to: URL(fileURLWithPath: dir + "/MANIFEST"))
        #expect(listDirectory(dir) == filesBefore, "reading manifests changed the directory")
        #expect(try String(contentsOfFile: base + "/outside.bgs", encoding: .utf8) == "outside")
        #expect(slowest < .seconds(5), "a case took \(slowest)")
        #expect(try IndexStore.open(at: dir).documentCount == 2)
        #expect((outcomes["opened"] ?? 0) < iterations, "no mutation was rejected: \(outcomes)")
        print("ManifestFuzzTests: \(iterations) cases: \(outcomes.sorted { $0.value > $1.value }.prefix(8))")
    }

    @Test func manifestsNamingFilesOutsideTheDirectoryAreRejected() throws {
        let dir = temporaryIndexPath("manifest-names")
        let w = try IndexWriter(directory: dir, mode: .create)
        try w.add(Document(id: "a", text: "常熟"))
        try w.commit()
        w.close()
        defer { removeDirectory(dir) }
        let path = dir + "/MANIFEST"
        let original = try Manifest.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
        for bad in ["../seg-0000000000000001.bgs", "/etc/passwd", "seg-1.bgs", "seg-000000000000000G.bgs", "MANIFEST", ""] {
            var m = original
            m.segments[0].file = bad
            try Data(try m.encoded()).write(to: URL(fileURLWithPath: path))
            do {
                _ = try IndexStore.open(at: dir)
                Issue.record("opened a manifest naming \(bad)")
            } catch {
                guard case .corrupt(let p, let why) = error else { Issue.record("\(bad): \(error)"); continue }
                #expect(p == path)
                #expect(why.contains("not a segment file"), "\(bad): \(why)")
            }
        }
        var twice = original
        twice.segments.append(twice.segments[0])
        twice.previous = ["../x"]
        try Data(try twice.encoded()).write(to: URL(fileURLWithPath: path))
        #expect(throws: StorageError.self) { try IndexStore.open(at: dir) }
        var deleted = original
        deleted.segments[0].deleted = [5]
        try Data(try deleted.encoded()).write(to: URL(fileURLWithPath: path))
        #expect(throws: StorageError.corrupt(path: path, reason: "\(original.segments[0].file): a deleted document is out of range")) {
            try IndexStore.open(at: dir)
        }
    }
}
