@testable import BigramSearch

/// Records every call of an analysis, in order.
struct RecordingSink: TokenSink {
    var calls: [String] = []
    mutating func cjkTerm(_ key: UInt64, position: Int, utf8Start: Int, utf8End: Int) {
        calls.append("cjk \(String(key, radix: 16)) @\(position) \(utf8Start)..<\(utf8End)")
    }
    mutating func wordTerm(_ utf8: borrowing [UInt8], position: Int, utf8Start: Int, utf8End: Int) {
        calls.append("word \(String(decoding: copy utf8, as: UTF8.self)) @\(position) \(utf8Start)..<\(utf8End)")
    }
    mutating func runEnded(_ character: UInt32, position: Int, utf8Start: Int, utf8End: Int) {
        calls.append("end \(String(character, radix: 16)) @\(position) \(utf8Start)..<\(utf8End)")
    }
    mutating func character(position: Int, utf8Start: Int, utf8End: Int) {
        calls.append("at @\(position) \(utf8Start)..<\(utf8End)")
    }
}
