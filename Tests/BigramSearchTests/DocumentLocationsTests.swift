import Testing
@testable import BigramSearch

// The writer's id → location map on its own: keyed by hashes, it must behave as a map keyed by
// the ids themselves, also when ids share a hash (forced here with tiny hash functions).

@Suite(.checksSegmentInvariants) struct DocumentLocationsTests {
    typealias Location = DocumentLocations.Location

    /// Random sets, moves and removals of 40 ids against a `[String: Location]`, under the real
    /// hash, a hash of 3 values (most ids collide) and a constant one (all do).
    @Test(arguments: ["real", "three", "constant"])
    func behavesAsAMapByID(hashing: String) {
        let hash: (String) -> UInt64 = switch hashing {
        case "three": { UInt64($0.utf8.reduce(0) { $0 + Int($1) } % 3) }
        case "constant": { _ in 7 }
        default: DocumentLocations.hash
        }
        var map = DocumentLocations(hash: hash)
        var reference: [String: Location] = [:]
        var idAtLocation: [UInt32: String] = [:]   // what the writer would read at a location
        let idAt = { (l: Location) -> String in idAtLocation[l.doc]! }
        var rng = SplitMix64(0xD0C)
        var next: UInt32 = 0
        for _ in 0..<3_000 {
            let id = "doc-\(rng.int(0...39))"
            switch rng.int(0...2) {
            case 0, 1:   // placed (again): a fresh location, as a re-added or moved document
                let l = Location(segment: rng.int(0...5), doc: next)
                idAtLocation[next] = id
                next += 1
                #expect(map.set(id, l, idAt: idAt) == reference.updateValue(l, forKey: id))
            default:
                #expect(map.remove(id, idAt: idAt) == reference.removeValue(forKey: id))
            }
            #expect(map.count == reference.count)
            let probe = "doc-\(rng.int(0...45))"
            #expect(map.location(of: probe, idAt: idAt) == reference[probe])
        }
        for (id, l) in reference { #expect(map.location(of: id, idAt: idAt) == l) }
        map.removeAll()
        #expect(map.count == 0 && map.location(of: reference.keys.first ?? "doc-0", idAt: idAt) == nil)
    }
}
