extension Schema {
    /// The schema of corpus files: `text` searchable and stored, `title` stored only (the query
    /// set's expected results describe `text`).
    public static let corpus = Schema([Field("text"), Field("title", indexed: false)])

    /// The schema `bigram-search index` gives a corpus by default: `text` and `title` both
    /// searchable and stored, `title` with boost 2.
    public static let corpusTitleAndText = Schema([Field("text"), Field("title", boost: 2)])
}
