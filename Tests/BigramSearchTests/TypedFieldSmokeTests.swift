import Testing
import BigramSearch

@Suite(.checksSegmentInvariants) struct TypedFieldSmokeTests {
    @Test func filterSortFacetPage() throws {
        let schema = Schema([.init("text"), .init("date", kind: .date), .init("source", kind: .keyword), .init("n", kind: .int)])
        let w = try IndexWriter(schema: schema)
        for i in 0..<50 {
            var values: [String: FieldValue] = ["source": .keyword(i % 3 == 0 ? "a" : "b"), "n": .int(Int64(i % 7))]
            if i % 5 != 0 { values["date"] = .date(milliseconds: Int64(i) * 40 * 86_400_000) }
            try w.add(Document(id: "d\(i)", fields: ["text": i % 2 == 0 ? "常熟市 \(i)" : "别的"], values: values))
            if i == 20 { _ = w.snapshot() }
        }
        let s = w.snapshot()
        let r = try s.search(.all([.phrase("常熟"), .filter(.keyword("a", field: "source"))]), options: SearchOptions(limit: 100))
        #expect(r.totalCount == 9)   // even and divisible by 3: 0,6,...,48
        let sorted = try s.search(.filter(.range(field: "n", lower: RangeBound(.int(2)), upper: RangeBound(.int(4), inclusive: false))),
                                  options: SearchOptions(limit: 5, sort: [SortField("date", descending: true)],
                                                         facets: [.values("source"), FacetRequest("date", .years)]))
        #expect(sorted.totalCount == 14)
        print(sorted.hits.map { "\($0.id) \(String(describing: $0.value("date")))" }, sorted.facets, sorted.next as Any)
        let page2 = try s.search(.filter(.range(field: "n", lower: RangeBound(.int(2)), upper: RangeBound(.int(4), inclusive: false))),
                                 options: SearchOptions(limit: 5, sort: [SortField("date", descending: true)], after: sorted.next))
        let all = try s.search(.filter(.range(field: "n", lower: RangeBound(.int(2)), upper: RangeBound(.int(4), inclusive: false))),
                               options: SearchOptions(limit: 10, sort: [SortField("date", descending: true)]))
        #expect(all.hits.map(\.id) == (sorted.hits + page2.hits).map(\.id))
    }
}

