extension IndexSnapshot {
    /// One searchable view of several indexes (shards) — say one per year of a newspaper archive.
    ///
    /// Each search evaluates the shards in parallel and merges their hits with statistics summed
    /// over all shards (document count, average field length, term document frequencies), so
    /// ids, order and scores equal those of one index holding the shards' documents in shard
    /// order. The shards must share schema and analyzer.
    ///
    /// ```swift
    /// let archive = try IndexSnapshot(shards: try years.map { try IndexStore.open(at: "news-\($0).idx") })
    /// let results = try archive.search("小微企业园")
    /// ```
    ///
    /// - Throws: ``SearchError/incompatibleShards(_:)`` when schemas or analyzers differ, or
    ///   `shards` is empty.
    public init(shards: [IndexSnapshot]) throws(SearchError) {
        guard let first = shards.first else { throw .incompatibleShards("no shards") }
        for (k, s) in shards.enumerated() {
            guard s.schema == first.schema else { throw .incompatibleShards("shard \(k) has another schema") }
            guard s.analyzer.identifier == first.analyzer.identifier else {
                throw .incompatibleShards("shard \(k) uses analyzer \(s.analyzer.identifier), shard 0 uses \(first.analyzer.identifier)")
            }
        }
        self.init(schema: first.schema, analyzer: first.analyzer,
                  segments: shards.flatMap(\.segments), deletions: shards.flatMap(\.deletions),
                  parallelSegments: true)
    }
}
