/// A JSON value (RFC 8259) of one corpus line, parsed straight from its UTF-8 bytes.
///
/// The corpus reader's own parser, in place of Foundation's `JSONSerialization`, which built an
/// `NSDictionary` of bridged strings and numbers per line and cost more than indexing the line.
/// It accepts RFC 8259 JSON and, as `JSONSerialization` did, a trailing comma in an array or
/// object (so that no corpus read before is refused now); no comments, `NaN` or single quotes;
/// control characters only escaped in strings; `\u` escapes of UTF-16 surrogates only in pairs; no
/// number beyond the range of a double (`1e400`); at most ``JSONParser/maximumDepth`` nested
/// arrays and objects. Numbers keep their text, so nothing is rounded before the reader decides
/// what a number may be. `JSONParserTests` holds it to `JSONSerialization` on generated texts.
enum JSONValue: Equatable {
    case string(String)
    /// A number without a fraction or an exponent that fits 64 bits (signed, or unsigned when
    /// positive), as its decimal text without a sign for zero or leading zeros (`-0` is `0`).
    case integer(String)
    /// Any other number, as written (`1.5`, `1e3`, `123456789012345678901234567890`).
    case fraction(String)
    case boolean(Bool)
    case null
    case array([JSONValue])
    /// An object's members; of a key given twice, the last value (as `JSONSerialization` does).
    case object([String: JSONValue])
}

/// Parses one JSON text from a byte slice (see ``JSONValue``).
///
/// - Complexity: O(bytes), one pass; strings without escapes are decoded as one slice.
struct JSONParser {
    /// Nested arrays and objects beyond this depth are refused (no stack overflow on `[[[[…`).
    static let maximumDepth = 512

    private let bytes: ArraySlice<UInt8>
    private var i: Int
    private var depth = 0

    private init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        i = bytes.startIndex
    }

    /// The value `bytes` hold (whitespace around it allowed), or nil when they are not one JSON
    /// text. `bytes` must be valid UTF-8 (the reader repairs a line before parsing it).
    static func parse(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        var p = JSONParser(bytes)
        p.skipWhitespace()
        guard let v = p.value() else { return nil }
        p.skipWhitespace()
        return p.i == bytes.endIndex ? v : nil
    }

    private var end: Int { bytes.endIndex }

    @inline(__always) private mutating func skipWhitespace() {
        while i < end {
            let b = bytes[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    private mutating func value() -> JSONValue? {
        guard i < end else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "t"): return literal(Self.trueBytes, .boolean(true))
        case UInt8(ascii: "f"): return literal(Self.falseBytes, .boolean(false))
        case UInt8(ascii: "n"): return literal(Self.nullBytes, .null)
        default: return number()
        }
    }

    private static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8), nullBytes = Array("null".utf8)

    private mutating func literal(_ word: [UInt8], _ v: JSONValue) -> JSONValue? {
        guard end - i >= word.count else { return nil }
        for k in word.indices where bytes[i + k] != word[k] { return nil }
        i += word.count
        return v
    }

    private mutating func object() -> JSONValue? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { return nil }
        i += 1   // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if i < end && bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            if i < end && bytes[i] == UInt8(ascii: "}") && !members.isEmpty { i += 1; return .object(members) }   // a trailing comma
            guard i < end, bytes[i] == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard i < end, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipWhitespace()
            guard let v = value() else { return nil }
            members[key] = v
            skipWhitespace()
            guard i < end else { return nil }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
            skipWhitespace()
        }
    }

    private mutating func array() -> JSONValue? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { return nil }
        i += 1   // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if i < end && bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
        while true {
            if i < end && bytes[i] == UInt8(ascii: "]") && !elements.isEmpty { i += 1; return .array(elements) }   // a trailing comma
            guard let v = value() else { return nil }
            elements.append(v)
            skipWhitespace()
            guard i < end else { return nil }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
            skipWhitespace()
        }
    }

    /// A string at `i` (its opening quote); after it, `i` is past the closing quote.
    private mutating func string() -> String? {
        i += 1   // "
        let start = i
        // The common case: no escape, one slice.
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: bytes[start..<i], as: UTF8.self)
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            i += 1
        }
        // With escapes: the runs between them are copied whole.
        var out: [UInt8] = []
        var run = start
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[run..<i])
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { return nil }   // a raw control character
            if b != UInt8(ascii: "\\") { i += 1; continue }
            out.append(contentsOf: bytes[run..<i])
            guard i + 1 < end else { return nil }
            i += 2
            switch bytes[i - 1] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4() else { return nil }
                var scalar = UInt32(unit)
                if unit >= 0xD800 && unit < 0xDC00 {
                    // A high surrogate: a low one must follow.
                    guard end - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                    i += 2
                    guard let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if unit >= 0xDC00 && unit < 0xE000 {
                    return nil   // a low surrogate alone
                }
                guard let u = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: UTF8.encode(u)!)
            default:
                return nil
            }
            run = i
        }
        return nil   // no closing quote
    }

    private mutating func hex4() -> UInt16? {
        guard end - i >= 4 else { return nil }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt16(d)
            i += 1
        }
        return v
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func number() -> JSONValue? {
        let start = i
        if i < end && bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, isDigit(bytes[i]) else { return nil }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while i < end && isDigit(bytes[i]) { i += 1 } }
        var whole = true
        if i < end && bytes[i] == UInt8(ascii: ".") {
            whole = false
            i += 1
            guard i < end, isDigit(bytes[i]) else { return nil }
            while i < end && isDigit(bytes[i]) { i += 1 }
        }
        if i < end && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            whole = false
            i += 1
            if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < end, isDigit(bytes[i]) else { return nil }
            while i < end && isDigit(bytes[i]) { i += 1 }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if whole {
            if let n = Int64(text) { return .integer(String(n)) }
            if let n = UInt64(text) { return .integer(String(n)) }
        }
        guard Double(text)?.isFinite == true else { return nil }   // 1e400
        return .fraction(text)
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
