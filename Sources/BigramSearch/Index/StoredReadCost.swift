/// What reading stored text cost: bytes inflated and copied (read by tests to check that a
/// snippet of a huge document reads a bounded window).
struct StoredReadCost: Sendable, Hashable {
    var inflatedBytes = 0
    var copiedBytes = 0
    /// Bytes of text the highlighter analyzed.
    var analyzedBytes = 0
}
