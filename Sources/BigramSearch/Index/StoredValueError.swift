/// Why a stored value cannot be read: its offsets, size or chunk table are inconsistent.
struct StoredValueError: Error, Sendable, CustomStringConvertible {
    let description: String
    /// The storage error behind it, when reading the value needed other parts of the file
    /// (postings) whose checksums failed: reported as that error.
    var storage: StorageError?
    init(_ description: String) { self.description = "stored text: " + description }
    init(storage: StorageError) {
        description = storage.description
        self.storage = storage
    }
}
