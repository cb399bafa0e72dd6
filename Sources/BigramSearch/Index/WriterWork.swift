/// What an ``IndexWriter`` has done so far, for the benchmark's on-disk figures (write
/// amplification, the share of merging): package API, not a promise to applications.
package struct WriterWork: Sendable, Hashable {
    /// Bytes of segment files written (each segment once, when it was written out).
    package var segmentBytesWritten = 0
    /// Segments written to files.
    package var segmentsWritten = 0
    /// Merges done, automatic and forced.
    package var merges = 0
    /// Time spent merging (building the merged segment and writing it), in seconds.
    package var mergeSeconds = 0.0
    /// Time spent freezing buffers into segments and writing them (flushes), in seconds.
    package var flushSeconds = 0.0

    package init(segmentBytesWritten: Int = 0, segmentsWritten: Int = 0, merges: Int = 0, mergeSeconds: Double = 0, flushSeconds: Double = 0) {
        self.segmentBytesWritten = segmentBytesWritten
        self.segmentsWritten = segmentsWritten
        self.merges = merges
        self.mergeSeconds = mergeSeconds
        self.flushSeconds = flushSeconds
    }
}
