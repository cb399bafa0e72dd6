/// Errors raised while setting up text analysis.
public enum AnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ICU could not provide a component (word rules, transliterator). The message is ICU's.
    case icuUnavailable(String)

    /// A message that says what failed.
    public var description: String {
        switch self {
        case .icuUnavailable(let m):
            return "ICU is unavailable or incomplete (\(m)); install the system ICU (Debian: libicu-dev, libicu72)"
        }
    }
}
