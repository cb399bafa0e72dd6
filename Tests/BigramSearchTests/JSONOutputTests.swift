import Foundation
import Testing
@testable import BigramSearch

// The Encodable form of search results (`{"total", "offset", "hits": [{"id", "score", "fields",
// "highlights": [{"field", "utf8", "utf16", "snippet"}]}]}`), and snippets' whitespace.

@Suite(.checksSegmentInvariants) struct JSONOutputTests {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func theDocumentedForm() throws {
        let writer = try IndexWriter(schema: Schema([.init("title"), .init("body"), .init("url", indexed: false)]))
        try writer.add(Document(id: "a", fields: ["title": "常熟考察", "body": "😀赴常熟市参\n观", "url": "/a"]))
        try writer.add(Document(id: "b", fields: ["body": "非常熟悉"]))
        let results = try writer.snapshot().search("常熟", options: SearchOptions(limit: 1, offset: 1, highlight: HighlightOptions(before: "[", after: "]")))
        let json = try Self.encode(results)
        let top = try Self.object(json)
        #expect(Set(top.keys) == ["total", "offset", "hits", "next"])   // (facets only when asked for)
        #expect(top["next"] is NSNull, "the last page has no cursor")
        #expect(top["total"] as? Int == 2)
        #expect(top["offset"] as? Int == 1)
        let hits = try #require(top["hits"] as? [[String: Any]])
        #expect(hits.count == 1)
        let hit = hits[0]
        #expect(Set(hit.keys) == ["id", "score", "fields", "highlights"])
        let id = try #require(hit["id"] as? String)
        // The score as Swift prints it (the shortest text that reads back as the same Double;
        // JSONSerialization's own reading of it may differ in the last bit).
        #expect(json.contains("\"score\":\(results.hits[0].score)"), "\(json)")
        #expect(hit["score"] is Double)
        #expect(hit["fields"] as? [String: String] == results.hits[0].fields)

        // Document a, whichever rank it has: every stored field, every highlight with both units.
        let all = try writer.snapshot().search("常熟", options: SearchOptions(highlight: HighlightOptions(before: "[", after: "]")))
        let a = try #require(all.hits.first { $0.id == "a" })
        let aJSON = try Self.object(try Self.encode(a))
        #expect(aJSON["fields"] as? [String: String] == ["title": "常熟考察", "body": "😀赴常熟市参\n观", "url": "/a"])
        let highlights = try #require(aJSON["highlights"] as? [[String: Any]])
        #expect(highlights.map { $0["field"] as? String } == ["title", "body"])
        let body = highlights[1]
        #expect(Set(body.keys) == ["field", "utf8", "utf16", "snippet"])
        // "😀赴常熟市参\n观": 😀 is 4 UTF-8 bytes and 2 UTF-16 units; 赴 3 and 1.
        #expect(body["utf8"] as? [[Int]] == [[7, 13]])
        #expect(body["utf16"] as? [[Int]] == [[3, 5]])
        #expect(body["snippet"] as? String == "😀赴[常熟]市参观")
        #expect(highlights[0]["utf8"] as? [[Int]] == [[0, 6]] && highlights[0]["utf16"] as? [[Int]] == [[0, 2]])
        #expect(id == (results.hits[0].id))
    }

    @Test func utf16RangesAgreeWithTextOffsets() throws {
        let texts = ["a😀常熟b常熟", "𠀀𠀁常熟 Linux内核 𠀀常熟", "ＬＩＮＵＸ内核，常熟。常\n熟"]
        let writer = try IndexWriter(schema: .text)
        for (i, t) in texts.enumerated() { try writer.add(Document(id: "\(i)", text: t)) }
        let results = try writer.snapshot().search("常熟 OR linux", options: SearchOptions(highlight: HighlightOptions()))
        #expect(results.hits.count == texts.count)
        for hit in results.hits {
            let text = try #require(hit["text"])
            let offsets = TextOffsets(text)
            for h in hit.highlights {
                #expect(h.utf16Ranges == h.utf8Ranges.map { offsets.range($0, in: .utf16) }, "\(text)")
                // And the UTF-16 ranges cut the same text as the UTF-8 ones.
                let u16 = Array(text.utf16)
                for (r8, r16) in zip(h.utf8Ranges, h.utf16Ranges ?? []) {
                    #expect(String(decoding: u16[r16], as: UTF16.self) == String(decoding: Array(text.utf8)[r8], as: UTF8.self))
                }
            }
        }
    }

    @Test func noHitsAndNoHighlights() throws {
        let writer = try IndexWriter(schema: .text)
        try writer.add(Document(id: "a", text: "常熟"))
        let none = try Self.encode(try writer.snapshot().search("苏州"))
        #expect(none == #"{"hits":[],"next":null,"offset":0,"total":0}"#)
        let plain = try Self.encode(try writer.snapshot().search("常熟"))   // no highlight asked for
        #expect(plain.contains(#""highlights":[]"#))
    }
}

@Suite(.checksSegmentInvariants) struct SnippetWhitespaceTests {
    func snippet(_ text: String, _ query: String) throws -> String {
        let writer = try IndexWriter(schema: .text)
        try writer.add(Document(id: "a", text: text))
        let hit = try #require(try writer.snapshot().search(query, options: SearchOptions(highlight: HighlightOptions(before: "[", after: "]"))).hits.first)
        return try #require(hit.highlights.first?.snippet)
    }

    @Test func spacesAndTabsAreKept() throws {
        #expect(try snippet("Linux  内核\tand   more", "内核") == "Linux  [内核]\tand   more")
        #expect(try snippet("hello world  常熟", "常熟") == "hello world  [常熟]")
    }

    @Test func lineBreaksShowAsOneSpace() throws {
        #expect(try snippet("Linux\n\n内核 and\r\n  more", "内核") == "Linux [内核] and more")
    }

    @Test func lineWrapsBetweenCJKVanish() throws {
        // The index joins them (参\n\n观 matches 参观), so the snippet does too — spaces included.
        #expect(try snippet("赴常熟市参\n\n观考察", "参观") == "赴常熟市[参观]考察")
        #expect(try snippet("常熟 市", "常熟") == "[常熟]市")
        // Between CJK and Latin the whitespace stays (one space for a line break).
        #expect(try snippet("常熟 Linux\n内核", "linux") == "常熟 [Linux] 内核")
    }
}
