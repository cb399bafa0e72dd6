@testable import BigramSearch
import Foundation
import Testing

// The on-disk format is a promise: every released format version has a fixture here (an index
// written by that release, in Fixtures/), and opening one gives a clear typed error naming the
// version (this library reads only the current one).
//
// - format-1-byte-postings: segment version 1 with byte-aligned postings blocks (released up to
//   the seventh stop of the project), manifest version 1.
// - format-1-bit-postings: the same version number with one bit stream per postings block
//   (released at the eighth stop without a version change: its files cannot be told from the
//   first kind, so both are refused).

private let fixtures = Seeds.repositoryRoot.appendingPathComponent("Tests/BigramSearchTests/Fixtures").path

private func copyFixture(_ name: String) throws -> String {
    let dir = temporaryIndexPath("fixture-\(name)")
    try FileManager.default.copyItem(atPath: fixtures + "/" + name, toPath: dir)
    return dir
}

private func contents(_ dir: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for name in listDirectory(dir) { out[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)) }
    return out
}

@Suite struct FormatVersionTests {
    @Test(arguments: ["format-1-byte-postings", "format-1-bit-postings"])
    func earlierVersionsAreRefusedWithTheirVersion(_ name: String) throws {
        let dir = try copyFixture(name)
        defer { removeDirectory(dir) }
        let before = try contents(dir)
        let manifest = dir + "/MANIFEST"
        let expected = StorageError.unsupportedVersion(path: manifest, found: 1, supported: Manifest.version)
        #expect(throws: expected) { try IndexStore.open(at: dir) }
        #expect(throws: expected) { try IndexStore.verify(at: dir) }
        #expect(throws: IndexError.storage(expected)) { try IndexWriter(directory: dir) }
        #expect(throws: IndexError.storage(expected)) { try IndexWriter(directory: dir, mode: .openOrCreate) }
        #expect(expected.description.contains("format version 1"))
        #expect(try contents(dir) == before, "a refused open changed the directory")

        // The segment files on their own (named by a manifest of this version) are refused too.
        let old = try JSONSerialization.jsonObject(with: Data(try Data(contentsOf: URL(fileURLWithPath: manifest)).dropFirst(16))) as! [String: Any]
        let names = (old["segments"] as! [[String: Any]]).map { $0["file"] as! String }
        let segment = dir + "/" + names[0]
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: segment)))
        #expect(bytes[4] == 1 && bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0, "the fixture's segment version")
        do {
            _ = try SegmentFile.decode(ByteBuffer(bytes), path: segment, schema: .article)
            Issue.record("a version-1 segment file decoded")
        } catch {
            #expect(error == .unsupportedVersion(path: segment, found: 1, supported: SegmentFile.version))
        }
    }

    @Test func theFixturesAreWhatTheirReleasesWrote() throws {
        // Guards the fixtures themselves: magic and version of every file.
        for name in ["format-1-byte-postings", "format-1-bit-postings"] {
            let dir = fixtures + "/" + name
            for file in listDirectory(dir) {
                let b = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)))
                let magic = String(decoding: b[0..<4], as: UTF8.self)
                #expect(magic == (file == "MANIFEST" ? "BMAN" : "BSEG"), "\(name)/\(file)")
                #expect(b[4] == 1, "\(name)/\(file)")
            }
        }
    }
}
