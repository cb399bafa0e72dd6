/// Saving and opening indexes on disk. (Placeholder until the on-disk format lands.)
public enum IndexStore {
    public static func isIndex(at path: String) -> Bool { false }
    public static func open(at path: String) throws -> IndexSnapshot { fatalError("not yet") }
    public static func save(_ snapshot: IndexSnapshot, to path: String) throws { fatalError("not yet") }
}
