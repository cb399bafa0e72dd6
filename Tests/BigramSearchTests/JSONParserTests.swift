@testable import BigramSearch
import Foundation
import Testing

// The corpus reader's JSON parser against Foundation's JSONSerialization (the parser it
// replaced) on generated texts, valid and broken: the same texts accepted, the same values.

/// A JSONSerialization result as a ``JSONValue`` (numbers by their kind, as the reader tells them).
private func converted(_ any: Any) -> JSONValue? {
    switch any {
    case let s as String: return .string(s)
    case is NSNull: return .null
    case let n as NSNumber:
        switch String(cString: n.objCType) {
        case "c", "B": return .boolean(n.boolValue)
        case "s", "i", "l", "q": return .integer(String(n.int64Value))
        case "S", "I", "L", "Q": return .integer(String(n.uint64Value))
        default: return .fraction(n.stringValue)
        }
    case let a as [Any]:
        var out: [JSONValue] = []
        for e in a { guard let v = converted(e) else { return nil }; out.append(v) }
        return .array(out)
    case let d as [String: Any]:
        var out: [String: JSONValue] = [:]
        for (k, e) in d { guard let v = converted(e) else { return nil }; out[k] = v }
        return .object(out)
    default: return nil
    }
}

/// Fractions compared by value (JSONSerialization prints them its own way; the parser keeps the text).
private func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.fraction(let x), .fraction(let y)): return Double(x) == Double(y)
    // JSONSerialization reads -2^63, and only it, as a double; the parser as the integer it is.
    case (.integer("-9223372036854775808"), .fraction(let y)): return Double(y) == -0x1p63
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
    case (.object(let x), .object(let y)): return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
    default: return a == b
    }
}

private struct Generator {
    var rng: SplitMix64
    let pieces = ["a", "常熟", "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\u4E2D", "\\ud83d\\ude00", " ", "é", "𝄞", "\\b", "\\f", "\\r"]

    mutating func string() -> String { "\"" + (0..<rng.int(0...4)).map { _ in rng.pick(pieces) }.joined() + "\"" }

    mutating func number() -> String {
        rng.pick(["0", "-0", "7", "-12", "42", "1.5", "-0.25", "1e3", "2E-2", "1.0", "9223372036854775807", "-9223372036854775808",
                  "18446744073709551615", "18446744073709551616", "123456789012345678901234567890", "3.14159e10"])
    }

    mutating func value(_ depth: Int) -> String {
        switch rng.int(0..<(depth > 2 ? 5 : 7)) {
        case 0: return string()
        case 1: return number()
        case 2: return rng.pick(["true", "false", "null"])
        case 3, 4: return string()
        case 5: return "[" + (0..<rng.int(0...3)).map { _ in value(depth + 1) }.joined(separator: rng.pick([",", ", ", " ,\t"])) + "]"
        default: return object(depth + 1)
        }
    }

    mutating func object(_ depth: Int) -> String {
        "{" + (0..<rng.int(0...4)).map { _ in string() + rng.pick([":", " : "]) + value(depth) }.joined(separator: ",") + "}"
    }

    /// A text broken one way (or not at all).
    mutating func mutate(_ text: String) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        switch rng.int(0..<8) {
        case 0: bytes.remove(at: rng.int(0..<bytes.count))
        case 1: bytes.insert(rng.pick(Array("{}[]\",:\\ .e-+0tn".utf8)), at: rng.int(0...bytes.count))
        case 2: bytes.removeLast(rng.int(1...bytes.count))
        case 3: bytes.append(contentsOf: Array(rng.pick([",", " x", "}", "]", " ", "\t", "0"]).utf8))
        case 4: bytes[rng.int(0..<bytes.count)] = rng.pick(Array("\u{01}\u{1F}'aZ".utf8))
        default: break
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@Suite(.checksSegmentInvariants) struct JSONParserTests {
    @Test func agreesWithJSONSerializationOnGeneratedTexts() {
        var g = Generator(rng: SplitMix64(0x15_0A))
        var accepted = 0, refused = 0
        for _ in 0..<6_000 {
            let text = g.mutate(g.rng.chance(85) ? g.object(0) : g.value(0))
            let data = Data(text.utf8)
            let mine = JSONParser.parse(Array(data)[...])
            // JSONSerialization refuses a bare string, number or literal at the top (the reader
            // then says "not JSON"); the parser takes any value, the reader checks it is an object.
            let theirs = (try? JSONSerialization.jsonObject(with: data)).flatMap(converted)
            switch (mine, theirs) {
            case (let m?, let t?):
                accepted += 1
                #expect(same(m, t), "\(text): \(m) vs \(t)")
            case (nil, nil):
                refused += 1
            case (let m?, nil):
                if case .object = m { Issue.record("\(text): accepted as \(m), refused by JSONSerialization") }
                if case .array = m { Issue.record("\(text): accepted as \(m), refused by JSONSerialization") }
            case (nil, let t?):
                Issue.record("\(text): refused, JSONSerialization reads \(t)")
            }
        }
        // Both kinds of text were generated.
        #expect(accepted > 1_000 && refused > 500, "\(accepted) accepted, \(refused) refused")
    }

    @Test func valuesAndLimits() {
        func parse(_ s: String) -> JSONValue? { JSONParser.parse(Array(s.utf8)[...]) }
        #expect(parse(#"{"a":1,"a":2}"#) == .object(["a": .integer("2")]))   // the last of a repeated key
        #expect(parse(" {\"k\" : [\"x\", -0, 1.50, 1e2, true, null]}\r") ==
                .object(["k": .array([.string("x"), .integer("0"), .fraction("1.50"), .fraction("1e2"), .boolean(true), .null])]))
        #expect(parse(#""\ud83d\ude00 \u00e9""#) == .string("😀 é"))
        #expect(parse("[1,]") == .array([.integer("1")]) && parse(#"{"a":1 , }"#) == .object(["a": .integer("1")]))   // as JSONSerialization
        for broken in [#""\ud83d""#, #""\ude00""#, #""\ud83dx""#, "\"a\u{01}\"", #""\x""#, "01", "1.", ".5", "-", "1e", "+1",
                       "[,]", "[1,,]", "{,}", "1e400", "{a:1}", "'a'", "NaN", "[1] [2]", "tru", "nul", ""] {
            #expect(parse(broken) == nil, "\(broken)")
        }
        let deep = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(parse(deep) != nil)
        let deeper = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(parse(deeper) == nil)   // refused, not a stack overflow
    }
}
