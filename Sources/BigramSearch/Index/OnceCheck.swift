import Synchronization

/// A check run once (by whichever thread comes first); after it passed, one atomic load.
final class OnceCheck: Sendable {
    private let passed = Atomic<Bool>(false)
    private let result = LazyValue<StorageError?>()

    func run(_ check: () -> StorageError?) -> StorageError? {
        if passed.load(ordering: .acquiring) { return nil }
        let error = result.get(check)
        if error == nil { passed.store(true, ordering: .releasing) }
        return error
    }
}
