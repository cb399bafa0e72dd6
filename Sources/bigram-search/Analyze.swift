import ArgumentParser
import BigramSearch

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the terms of text read from standard input, one JSON object per line.",
        discussion: "Like Elasticsearch's _analyze: {\"text\", \"kind\", \"start\", \"end\", \"position\"}. start/end are offsets into the input.")

    @Option(help: "Unit of start/end: utf8 (bytes), utf16 or scalar.")
    var offsets: TextOffsets.Unit = .utf8

    @Flag(help: "Fold Traditional Chinese to Simplified.")
    var foldTraditional = false

    @Flag(help: "Emit a unigram for every CJK character as well as bigrams.")
    var unigrams = false

    func run() throws {
        let text = String(decoding: try readStandardInput(), as: UTF8.self)
        let analyzer = try BigramAnalyzer(.init(foldTraditional: foldTraditional, emitUnigrams: unigrams))
        let converter = TextOffsets(text)
        var out = ""
        for t in analyzer.tokens(in: text) {
            let r = converter.range(t.utf8Range, in: offsets)
            out += "{\"text\":\(jsonString(t.term)),\"kind\":\"\(t.kind.rawValue)\",\"start\":\(r.lowerBound),\"end\":\(r.upperBound),\"position\":\(t.position)}\n"
            if out.utf8.count > 1 << 16 { try stdoutFile.write(out); out = "" }
        }
        try stdoutFile.write(out)
    }
}

extension TextOffsets.Unit: ExpressibleByArgument {}
