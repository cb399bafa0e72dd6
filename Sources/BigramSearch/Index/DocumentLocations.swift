/// Where each live document of an ``IndexWriter`` is, by id: its segment number and document
/// number (for replacing and deleting by id).
///
/// Keyed by a 64-bit hash of the id, not by the id: a `[String: location]` map holds a copy of
/// every id — most are longer than the 15 bytes a `String` keeps inline, so each is an allocation
/// of its own — which made it the part of a directory writer's memory that grows with the index
/// (about 150 bytes a document; 414,400 documents at ×100 of the open corpus). Here a document
/// costs one 16-byte bucket of a hash table (about 32 bytes with the table's spare room).
///
/// Two ids with one hash are told apart by reading the id at the location already stored (the
/// caller's `idAt`: from the segment, the buffer being flushed or the buffer); the second id of
/// a hash is kept by its string in a small side map. The hash is Swift's `Hasher`, seeded anew in
/// every process, so ids cannot be chosen to collide.
struct DocumentLocations {
    struct Location: Equatable {
        private var rawSegment: UInt32
        var doc: UInt32
        init(segment: Int, doc: UInt32) { rawSegment = UInt32(segment); self.doc = doc }
        var segment: Int { Int(rawSegment) }
    }

    private var byHash: [UInt64: Location] = [:]
    /// Ids whose hash is taken by another id in `byHash`.
    private var colliding: [String: Location] = [:]
    private let hash: (String) -> UInt64

    /// `hash` is for tests (a constant one makes every id collide).
    init(hash: @escaping (String) -> UInt64 = DocumentLocations.hash) { self.hash = hash }

    static func hash(_ id: String) -> UInt64 {
        var h = Hasher()
        h.combine(id)
        return UInt64(bitPattern: Int64(h.finalize()))
    }

    /// The number of ids located.
    var count: Int { byHash.count + colliding.count }

    /// Where `id` is, or nil. `idAt` gives the id at a stored location.
    ///
    /// - Complexity: O(1), and one `idAt` call when the hash is found.
    func location(of id: String, idAt: (Location) -> String) -> Location? {
        if !colliding.isEmpty, let l = colliding[id] { return l }
        guard let l = byHash[hash(id)], idAt(l) == id else { return nil }
        return l
    }

    /// Puts `id` at `location`; returns where it was before (nil when it was not located).
    @discardableResult
    mutating func set(_ id: String, _ location: Location, idAt: (Location) -> String) -> Location? {
        if !colliding.isEmpty, colliding[id] != nil { return colliding.updateValue(location, forKey: id) }
        let h = hash(id)
        guard let old = byHash[h] else { byHash[h] = location; return nil }
        if idAt(old) == id { byHash[h] = location; return old }
        colliding[id] = location
        return nil
    }

    /// Removes `id`; returns where it was (nil when it was not located).
    mutating func remove(_ id: String, idAt: (Location) -> String) -> Location? {
        if !colliding.isEmpty, let l = colliding.removeValue(forKey: id) { return l }
        let h = hash(id)
        guard let l = byHash[h], idAt(l) == id else { return nil }
        byHash[h] = nil
        return l
    }

    /// Forgets every location, keeping the table's capacity (it is filled again at once).
    mutating func removeAll() {
        byHash.removeAll(keepingCapacity: true)
        colliding.removeAll()
    }
}
