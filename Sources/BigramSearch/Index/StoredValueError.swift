/// Why a stored value cannot be read: its offsets, size or chunk table are inconsistent.
struct StoredValueError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "stored text: " + description }
}
