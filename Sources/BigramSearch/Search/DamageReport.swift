/// The first damage found in a segment's postings during one evaluation (segments may be
/// evaluated on several threads). The search throws it as
/// ``SearchError/damagedIndex(_:)`` rather than return an answer computed from damaged data.
final class DamageReport: Sendable {
    private let first = Locked<StorageError?>(nil)

    func record(_ damage: PostingsDamage, segment: Segment, field: String) {
        let error = damage.error(path: segment.displayName, field: field)
        first.withLock { if $0 == nil { $0 = error } }
    }

    var error: StorageError? { first.withLock { $0 } }
}
