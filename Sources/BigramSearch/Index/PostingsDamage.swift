/// What a ``PostingsCursor`` found wrong in the postings it reads (a file that passed its
/// checksums but holds values no writer produces). The cursor then stops (``PostingsCursor/doc``
/// is ``PostingsCursor/exhausted``) and keeps the reason; whoever drives it reports the damage.
enum PostingsDamage: UInt8, Sendable {
    case none
    /// The dictionary's document frequency is 0 or above the segment's document count.
    case documentFrequency
    /// The postings offset (or a skip-table offset) lies outside the postings section.
    case offset
    /// A document number is not below the segment's document count, or the documents of a term
    /// do not ascend (including a skip table disagreeing with the blocks).
    case documentNumber
    /// A frequency above the document's field length (or ``PostingsEncoding/maxFrequency``).
    case frequency
    /// A position at or beyond the document's field length.
    case position
    /// The postings' checksum does not match (the bytes changed since they were written).
    case checksum
    /// The dictionary's block first keys around a looked-up key do not ascend (under valid
    /// checksums: ``TermDictionary/checkedLocate(_:)``).
    case dictionaryOrder

    /// The error a search throws for this damage in the file at `path` (in `field`, when known).
    func error(path: String, field: String? = nil) -> StorageError {
        self == .checksum ? .checksumMismatch(path: path) : .corrupt(path: path, reason: field.map { "field \($0): \(reason)" } ?? reason)
    }

    var reason: String {
        switch self {
        case .none: return "no damage"
        case .documentFrequency: return "a term's document frequency exceeds the segment's documents"
        case .offset: return "a term's postings lie outside the postings section"
        case .documentNumber: return "postings hold a document number out of range or out of order"
        case .frequency: return "postings hold a frequency above the document's field length"
        case .position: return "postings hold a position beyond the document's field length"
        case .checksum: return "the postings' checksum does not match"
        case .dictionaryOrder: return "the dictionary's block keys are out of order"
        }
    }
}
