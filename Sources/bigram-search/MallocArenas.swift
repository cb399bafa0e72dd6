#if canImport(Glibc)
import Glibc
#endif

/// The allocator's per-thread heaps, limited for this tool's process.
///
/// glibc gives each thread that allocates a heap (an arena) of its own, up to eight per core, and
/// keeps what a thread frees in its arena for that arena's next allocations. `bigram-search
/// index` allocates on up to six threads at once (adding, reading the corpus, a flush, two
/// merges, the deflating helper of a commit's flush), and each arena kept its own peak: indexing
/// 1.14 GB of JSON Lines on one thread peaked at 271–291 MB of anonymous memory with glibc's
/// default, 230–237 MB with two arenas, in no more time (Benchmarks/README.md). The tool is a
/// process of its own, so it sets that limit itself (`mallopt(M_ARENA_MAX, 2)`) before any
/// thread starts, unless `MALLOC_ARENA_MAX` is set (the user's choice wins). The library does
/// not: an allocator setting belongs to whoever owns the process.
enum MallocArenas {
    /// glibc's `M_ARENA_MAX` (malloc.h, which the Glibc module does not export).
    private static let arenaMax: Int32 = -8

    static func limit(to count: Int32) {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil,
              let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(arenaMax, count)
        #endif
    }
}
