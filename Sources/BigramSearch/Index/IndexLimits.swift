/// Hard limits of the index format.
public enum IndexLimits {
    /// The largest field text, in UTF-8 bytes (offsets and positions are stored in 32 bits).
    public static let maxFieldBytes = 1 << 30
}
