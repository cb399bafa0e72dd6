/// A search query, built in code or parsed from the query syntax (``QueryParser``).
///
/// ```swift
/// let q: Query = .all([.phrase("常熟"), .any([.phrase("考察"), .phrase("调研")]), .not(.phrase("旅游"))])
/// ```
public indirect enum Query: Hashable, Sendable {
    /// Text that must occur as a phrase (the exactness rule of <doc:TheContract>): its CJK runs as exact substrings, its
    /// Latin words and numbers as whole words, in order, with only spaces or punctuation between.
    /// `field` restricts it to one field; `prefix` makes its last word a prefix (`linu` → `linux`).
    case phrase(String, field: String? = nil, prefix: Bool = false)
    /// Every subquery must match.
    case all([Query])
    /// At least one subquery must match.
    case any([Query])
    /// Documents that do not match the subquery (inside ``all(_:)``: excludes them).
    case not(Query)
    /// Documents whose typed field passes the filter (it adds nothing to scores): combine it
    /// with text clauses in ``all(_:)``, ``any(_:)`` and ``not(_:)``, or use it alone.
    case filter(FieldFilter)
}

extension Query: CustomStringConvertible {
    /// The query in the query syntax.
    public var description: String {
        switch self {
        case .phrase(let text, let field, let prefix):
            let quoted = "\"" + text.replacingAll("\"", with: " ") + "\"" + (prefix ? "*" : "")
            return (field.map { $0 + ":" } ?? "") + quoted
        case .all(let qs): return "(" + qs.map(\.description).joined(separator: " ") + ")"
        case .any(let qs): return "(" + qs.map(\.description).joined(separator: " OR ") + ")"
        case .not(let q): return "-" + q.description
        case .filter(let f): return f.description
        }
    }
}

private extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
