@testable import BigramSearch
import Foundation

// What an index directory holds, for the tests that look at its files.

/// The segment files in `dir`, sorted.
func segmentFileNames(_ dir: String) -> [String] {
    listDirectory(dir).filter { $0.hasPrefix("seg-") && $0.hasSuffix(".bgs") }
}

/// The temporary files (`*.tmp`) in `dir`, sorted.
func temporaryFileNames(_ dir: String) -> [String] { listDirectory(dir).filter { $0.hasSuffix(".tmp") } }

/// The manifest of the index in `dir`.
func readManifest(_ dir: String) throws -> Manifest {
    let path = dir + "/" + Manifest.fileName
    return try Manifest.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
}
