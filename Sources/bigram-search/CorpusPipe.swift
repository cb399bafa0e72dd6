import BigramSearch
import Foundation

/// Reads a corpus on a thread of its own and hands its documents over in batches, at most two
/// waiting, so that reading and parsing the file (a tenth of the work of indexing on one thread)
/// runs beside the indexing instead of before each batch. Memory held: the batches waiting.
///
/// The batches come in corpus order; a reading error comes after the batches read before it
/// (``finish()``), as it did when one thread read and indexed in turn.
final class CorpusPipe: @unchecked Sendable {   // every field below is guarded by `condition`
    private let condition = NSCondition()
    private var waiting: [(documents: [Document], bytes: Int)] = []
    private var outcome: Result<CorpusReader.Report, any Error>?
    private var cancelled = false
    /// Batches read ahead of the indexing.
    private static let capacity = 2

    private struct Cancelled: Error {}

    /// Starts reading `path`, in batches of at least `batchBytes` bytes of field text (the last
    /// one smaller).
    init(path: String, options: CorpusReader.Options, batchBytes: Int) {
        let reader = Thread { [self] in
            var batch: [Document] = [], bytes = 0
            let result = Result { () throws -> CorpusReader.Report in
                let report = try CorpusReader.forEach(path, options: options) { doc in
                    batch.append(doc)
                    bytes += doc.fields.values.reduce(0) { $0 + $1.utf8.count }
                    if bytes >= batchBytes {
                        try put(batch, bytes)
                        batch = []
                        bytes = 0
                    }
                }
                if !batch.isEmpty { try put(batch, bytes) }
                return report
            }
            condition.withLock {
                outcome = result
                condition.broadcast()
            }
        }
        reader.name = "bigram-search reader"
        reader.start()
    }

    private func put(_ documents: [Document], _ bytes: Int) throws {
        try condition.withLock {
            while waiting.count >= Self.capacity && !cancelled { condition.wait() }
            if cancelled { throw Cancelled() }
            waiting.append((documents, bytes))
            condition.broadcast()
        }
    }

    /// The next batch, waiting for it; nil once the reader is done (then ``finish()``).
    func next() -> (documents: [Document], bytes: Int)? {
        condition.withLock {
            while waiting.isEmpty && outcome == nil { condition.wait() }
            guard !waiting.isEmpty else { return nil }
            condition.broadcast()
            return waiting.removeFirst()
        }
    }

    /// After ``next()`` gave nil: what the reader reported, or the error that stopped it.
    func finish() throws -> CorpusReader.Report {
        try condition.withLock {
            while outcome == nil { condition.wait() }
            return outcome!
        }.get()
    }

    /// Stops the reader (the indexing failed) and waits for it to end.
    func cancel() {
        condition.withLock {
            cancelled = true
            condition.broadcast()
            while outcome == nil { condition.wait() }
        }
    }
}
