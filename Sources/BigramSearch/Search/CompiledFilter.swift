/// A ``FieldFilter`` checked against the schema and turned into what a column can test: a
/// keyword value, or a closed range of the column's integers (dates in milliseconds, doubles as
/// ``NumericColumn/sortableBits(_:)``); nil when no value can pass (`n:{5 TO 6}`).
struct CompiledFilter: Sendable {
    enum Test: Sendable {
        /// A keyword field holds this exact value.
        case keyword([UInt8])
        /// A keyword field holds a value in this byte-order range (bounds as given).
        case keywordRange(lower: [UInt8]?, lowerInclusive: Bool, upper: [UInt8]?, upperInclusive: Bool)
        /// A numeric field's value lies in this range (nil: nothing passes).
        case numeric(ClosedRange<Int64>?)
    }

    let field: Int
    let test: Test

    /// - Throws: ``SearchError/unknownField(_:)``; ``SearchError/invalidFilter(_:)`` for a filter
    ///   on a text field, a keyword test of a numeric field, or a bound of another kind.
    init(_ filter: FieldFilter, schema: Schema) throws(SearchError) {
        guard let f = schema.index(of: filter.field) else { throw .unknownField(filter.field) }
        let kind = schema.fields[f].kind
        let name = filter.field
        field = f
        switch (filter, kind) {
        case (_, .text):
            throw .invalidFilter("\"\(name)\" is a text field: search it with words (\(name):word); filters apply to keyword, int, double and date fields")
        case (.keyword(let v, _), .keyword):
            test = .keyword(Array(v.utf8))
        case (.keyword(let v, _), _):
            // `n:42`, `date:2024-06` built in code as a keyword test: read the text as the field's kind.
            guard let range = Self.equalityRange(v, kind: kind) else {
                throw .invalidFilter("\"\(v)\" is not a value of \(kind) field \"\(name)\"")
            }
            test = .numeric(range)
        case (.range(_, let lower, let upper), .keyword):
            func bytes(_ b: RangeBound?) throws(SearchError) -> [UInt8]? {
                guard let b else { return nil }
                guard case .keyword(let s) = b.value else {
                    throw .invalidFilter("a range of keyword field \"\(name)\" needs text bounds, not \(b.value)")
                }
                return Array(s.utf8)
            }
            test = .keywordRange(lower: try bytes(lower), lowerInclusive: lower?.inclusive ?? true,
                                 upper: try bytes(upper), upperInclusive: upper?.inclusive ?? true)
        case (.range(_, let lower, let upper), _):
            var lo = Int64.min, hi = Int64.max
            var empty = false
            if let lower {
                let v = try lower.value.columnValue(kind: kind, field: name, error: SearchError.invalidFilter)
                if lower.inclusive { lo = v } else if v == Int64.max { empty = true } else { lo = v + 1 }
            }
            if let upper {
                let v = try upper.value.columnValue(kind: kind, field: name, error: SearchError.invalidFilter)
                if upper.inclusive { hi = v } else if v == Int64.min { empty = true } else { hi = v - 1 }
            }
            test = .numeric(empty || lo > hi ? nil : lo...hi)
        }
    }

    /// The values a text stands for as an equality test of a field of `kind`: one int, one
    /// double, or a date's interval (`2024-06` is the month).
    static func equalityRange(_ text: String, kind: FieldKind) -> ClosedRange<Int64>? {
        switch kind {
        case .int: return Int64(text).map { $0...$0 }
        case .double:
            guard let v = Double(text).flatMap({ ValueColumn.stored(.double($0), kind: .double) }) else { return nil }
            return v...v
        case .date:
            guard let i = DateText.parse(text), i.end > i.start else { return nil }
            return i.start...(i.end - 1)
        default: return nil
        }
    }

    /// The documents of `segment` (not deleted, and in `candidates` when given) that pass,
    /// ascending.
    ///
    /// - Complexity: see ``ColumnTest/documents(among:)``.
    func documents(in segment: Segment, deleted: DocumentSet, candidates: DocumentSet?) -> [UInt32] {
        var docs = ColumnTest(self, segment: segment).documents(among: candidates)
        if deleted.count > 0 { docs.removeAll { deleted.contains($0) } }
        return docs
    }
}

extension FieldValue {
    /// A range bound (of a filter or a facet range) as the column of a field of `kind` stores
    /// it (``ValueColumn/stored(_:kind:)``); `error` makes the error of a NaN bound or a bound of
    /// another kind (filters and facets report them as their own errors).
    func columnValue(kind: FieldKind, field: String, error: (String) -> SearchError) throws(SearchError) -> Int64 {
        if let n = ValueColumn.stored(self, kind: kind) { return n }
        if case .double(let d) = self, d.isNaN, kind == .double { throw error("a bound of \"\(field)\" is NaN") }
        throw error("\"\(field)\" is a \(kind) field; the bound \(self) is not a \(kind) value")
    }
}
