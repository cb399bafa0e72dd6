import Foundation

// The seed pages (`seeds/*.txt`), the text most tests index.

/// The seed pages: the `*.txt` files in `seeds/` at the repository root.
enum Seeds {
    /// The repository root (this file is in `Tests/BigramSearchTests/Support/`).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = repositoryRoot.appendingPathComponent("seeds")

    /// The file names of the seed pages, sorted.
    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".txt") }.sorted()
    }

    /// The text of the seed page `name` (a file name in `seeds/`).
    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// The text of every seed page, in name order.
    static func texts() throws -> [String] { try names().map(text) }

    /// `text` split into paragraphs on blank (whitespace-only) lines: line wraps inside a paragraph
    /// are kept, spaces and tabs around a paragraph removed, empty paragraphs dropped.
    static func paragraphs(in text: String) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")); current = [] }
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
        return paragraphs.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Every seed page (its file name without `.txt`) with its paragraphs.
    static func paragraphsByPage() throws -> [(page: String, paragraphs: [String])] {
        try names().map { name in (String(name.dropLast(4)), paragraphs(in: try text(name))) }
    }

    /// The paragraphs of every seed page, in order (about 280).
    static func paragraphs() throws -> [String] { try texts().flatMap(paragraphs(in:)) }
}
