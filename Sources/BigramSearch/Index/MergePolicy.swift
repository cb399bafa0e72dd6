import Foundation

/// Which neighbouring segments an ``IndexWriter`` merges automatically: log-structured merging by
/// size levels, after Lucene's `LogMergePolicy`, over neighbours only (so documents keep their
/// order, by which ranking ties break).
///
/// A segment's *level* is log_factor of its size in bytes, its live share only (a segment whose
/// documents are half deleted counts half); sizes below ``floorBytes`` count as ``floorBytes``, so
/// small flushed segments (whose sizes vary with their documents) share the lowest level. From the
/// oldest segment on, a *group* is the run of segments up to the last one whose level is within
/// 0.75 of the run's highest; a group of at least `factor` segments has its first `factor`
/// merged. A merge of `factor` segments of one level makes a segment about one level higher,
/// which never joins the group it came from.
///
/// **The lowest level** (a group whose segments are all under `factor` × ``floorBytes``: flushed
/// buffers, not merges of them) merges ``lowestFactor`` segments at once. An ``IndexWriter`` with
/// background flushes flushes its buffer at half the budget, so its flushed segments are half the
/// size; merging twice as many of them at the lowest level makes the same segments from there on
/// as flushing whole buffers (and the same write amplification: at ×100 of the open corpus, 196
/// half flushes climbed a level more than 83 whole ones, 2.58 against 1.95 bytes written ÷ index).
///
/// **Write amplification.** Each byte is written once when flushed, then once per level it climbs,
/// and it climbs only when `factor` segments of its level exist: after `n` flushed segments of
/// one size, a byte has been rewritten at most ⌊log_factor n⌋ times, so
/// bytes written ÷ index ≤ 1 + ⌊log_factor n⌋ (≤ 1.05 × (1 + log_factor n) when flushed sizes
/// vary by up to 2×) — with the default factor 10, at most 2 while fewer than 100 buffers have
/// been flushed (a 64 MiB buffer
/// flushes about 16 MB of segment: some 1.4 GB of text; measured in Benchmarks/README.md). The
/// segment count stays at most (factor − 1) per level: (factor − 1) × (1 + ⌊log_factor n⌋), and
/// (lowestFactor − factor) more at the lowest level. (MergePolicyTests checks both bounds by
/// simulation.)
struct MergePolicy: Sendable {
    /// Segments merged at once (≥ 2).
    var factor: Int
    /// Sizes below this count as this (2 MiB).
    var floorBytes = 2 << 20
    /// Segments merged at once at the lowest level (`factor` unless said).
    var lowestFactor: Int

    init(factor: Int, lowestFactor: Int? = nil) {
        self.factor = factor
        self.lowestFactor = max(factor, lowestFactor ?? factor)
    }

    /// The range of neighbouring segments to merge next, given their sizes in bytes (live share
    /// only), oldest first; nil when none should be merged.
    ///
    /// - Complexity: O(segments²) at worst (segments are few: see above).
    func nextMerge(_ sizes: [Double]) -> Range<Int>? {
        guard factor >= 2, sizes.count >= factor else { return nil }
        let levels = sizes.map { log(max($0, Double(floorBytes))) / log(Double(factor)) }
        let lowest = log(Double(floorBytes)) / log(Double(factor)) + 1
        var start = 0
        while start < levels.count {
            let top = levels[start...].max()!
            let bottom = top - 0.75
            // The group: up to the last segment of the run's top level (within 0.75).
            var upto = levels.count - 1
            while upto > start && levels[upto] < bottom { upto -= 1 }
            let width = top < lowest ? lowestFactor : factor
            if upto + 1 - start >= width { return start..<(start + width) }
            start = upto + 1
        }
        return nil
    }
}
