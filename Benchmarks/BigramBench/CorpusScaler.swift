import BigramSearch

/// Makes a deterministic larger corpus out of a real one, for `--scale N`.
///
/// The result holds the original documents followed by N − 1 generated copies of the corpus.
/// Each generated document has the id `<original id>#<copy>`, the original's title, and a text of
/// (at least) the original's length made of sentences drawn at random from the whole corpus. The
/// sentences are real, so the vocabulary, term frequencies and the mix of scripts stay those of
/// the corpus; only which sentences share a document changes.
enum CorpusScaler {
    /// Returns `documents` scaled `factor` times (the documents themselves when `factor` is 1 or
    /// the corpus has no text).
    static func scale(_ documents: [Document], by factor: Int, seed: UInt64) -> [Document] {
        guard factor > 1 else { return documents }
        var pool: [Substring] = []
        for d in documents { pool.append(contentsOf: sentences(of: d["text"] ?? "")) }
        guard !pool.isEmpty else { return documents }

        var random = SeededRandom(seed: seed ^ 0x5CA1E)
        var result = documents
        result.reserveCapacity(documents.count * factor)
        for copy in 1..<factor {
            for d in documents {
                let target = d["text"]?.utf8.count ?? 0
                var text = ""
                text.reserveCapacity(target + 64)
                while text.utf8.count < target {
                    text += pool[random.next(below: pool.count)]
                }
                var fields = ["text": text]
                if let title = d["title"] { fields["title"] = title }
                result.append(Document(id: "\(d.id)#\(copy)", fields: fields))
            }
        }
        return result
    }

    /// Cuts `text` into sentences, each with the whitespace that follows it.
    ///
    /// A sentence ends after sentence punctuation (`。！？；!?…`) or at a line break that does
    /// not follow a Han or Kana character; a line break after one is taken for a line wrap
    /// inside a Chinese sentence (TheContract.md, analysis rule 4), which must not be cut.
    static func sentences(of text: String) -> [Substring] {
        let scalars = text.unicodeScalars
        var result: [Substring] = []
        var start = scalars.startIndex
        var i = start
        var lastVisible: Unicode.Scalar?
        while i < scalars.endIndex {
            let c = scalars[i]
            let ends: Bool
            if CharacterClasses.isSentenceEnd(c) {
                ends = true
            } else if c == "\n" {
                ends = !(lastVisible.map(CharacterClasses.isHanOrKana) ?? true)
            } else {
                ends = false
            }
            if !CharacterClasses.isWhitespace(c) { lastVisible = c }
            i = scalars.index(after: i)
            if ends {
                while i < scalars.endIndex, CharacterClasses.isWhitespace(scalars[i]) { i = scalars.index(after: i) }
                result.append(Substring(scalars[start..<i]))
                start = i
                lastVisible = nil
            }
        }
        if start < scalars.endIndex { result.append(Substring(scalars[start...])) }
        return result
    }
}
