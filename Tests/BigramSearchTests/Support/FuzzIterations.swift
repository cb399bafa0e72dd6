import Foundation

/// The number of generated cases: `default`, or `BIGRAM_FUZZ_ITERATIONS` when set (to run longer
/// by hand).
func fuzzIterations(default n: Int) -> Int {
    ProcessInfo.processInfo.environment["BIGRAM_FUZZ_ITERATIONS"].flatMap(Int.init) ?? n
}
