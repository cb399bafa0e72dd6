import Foundation
import Testing
@testable import BigramSearch
@Test func smoke() throws { let a = try BigramAnalyzer(); #expect(a.tokens(in: "常熟市参\n\n观Linux").map(\.term) == ["常熟", "熟市", "市参", "参观", "linux"]) }
