/// A stored text as a ``SegmentBuilder`` keeps it until the segment is frozen.
struct StoredValue: Sendable {
    var text: String
    /// For a text longer than ``StoredTable/chunkSize``: where its chunks start and the first
    /// position of each.
    var chunks: ChunkLayout?
}

/// The chunks of a long text: `starts` are UTF-8 offsets `[0, c1, …, length]` (see
/// ``StoredTable/chunkStarts(_:)``); `positions[k]` is the position of the first term that starts
/// in chunk `k` (the field's position count when none does; 0 for fields not indexed), and the
/// last entry the field's position count.
struct ChunkLayout: Sendable {
    var starts: [UInt32]
    var positions: [UInt32]
}
