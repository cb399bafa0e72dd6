#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BigramSearch
import COpenCC

/// Regional word variants of Chinese text: the words that differ between Taiwan and mainland
/// China (軟體/软件, 資料/数据, 預設/默认, 核心/内核, 程式/程序, 網路/网络, 檔案/文件), from
/// OpenCC's phrase dictionaries, applied to queries as alternatives (``expand(_:)``).
///
/// Traditional→Simplified folding in the analyzer (`BigramAnalyzer.Options.foldTraditional`) maps
/// characters (`體`→`体`), so `軟體` meets `软体` but never `软件`, a different word. Regional
/// variants work on words, and only at query time: each phrase of a query becomes
/// `Query.any(_:)` of the phrase and its variants, so an index needs no rebuilding
/// and highlights mark whichever variant a document has.
///
/// ```swift
/// let variants = try RegionalVariants()
/// variants.variants(of: "軟體")   // ["軟體", "软件"]
/// let hits = try snapshot.search(variants.expand(try snapshot.queryParser.parse("軟體 -資料")))
/// ```
///
/// Two OpenCC configurations give the variants: `tw2sp` (Taiwan words in Traditional characters to
/// mainland words in Simplified ones) and `s2twp` (the reverse). Each is applied to text that may be
/// in its input script: `tw2sp` is not applied to text that only Simplified characters mark as
/// mainland (it would read `程序员` as the Taiwan word 程序, a process, and give `进程员`), nor
/// `s2twp` to text in Traditional characters only. Two more (`t2s`, `s2t`) tell the scripts apart,
/// and drop conversions that change only the script (`参观`/`參觀`: the same word, which folding
/// handles). Text whose characters are the same in both scripts gets both readings (`程序` →
/// `进程` and `程式`; `文件` → `文档` and `檔案`): the variants are OpenCC's, which are sometimes
/// wider than a reader of one region means.
///
/// The value is immutable and `Sendable`: one instance may serve every thread (OpenCC's converters
/// are read-only after loading) and copies share the loaded dictionaries. Load it once and keep
/// it: loading costs milliseconds, a query's expansion microseconds.
public struct RegionalVariants: Sendable {
    private let converters: Converters

    /// The OpenCC data directories looked in, in order, when none is given: Debian and Ubuntu
    /// (`libopencc-data`), then `/usr/local` and Homebrew on macOS.
    public static let defaultDataDirectories = ["/usr/share/opencc", "/usr/local/share/opencc", "/opt/homebrew/share/opencc"]

    /// Loads the OpenCC configurations `tw2sp.json`, `s2twp.json`, `t2s.json` and `s2t.json` and
    /// their dictionaries.
    ///
    /// - Parameter dataDirectory: the directory holding the configurations (and their `.ocd2`
    ///   dictionaries); nil looks in ``defaultDataDirectories``.
    /// - Throws: ``RegionalVariantsError/configurationNotFound(_:searched:)`` when a
    ///   configuration is in none of the directories (the OpenCC data is not installed),
    ///   ``RegionalVariantsError/configurationFailed(path:message:)`` when OpenCC cannot load one.
    /// - Complexity: reads the four configurations and their dictionaries once, about 40 ms (see the README's
    ///   "Regional word variants"); keep the value rather than loading it per query.
    public init(dataDirectory: String? = nil) throws(RegionalVariantsError) {
        let directories = dataDirectory.map { [$0] } ?? Self.defaultDataDirectories
        func path(_ name: String) throws(RegionalVariantsError) -> String {
            for d in directories {
                let p = (d.hasSuffix("/") ? d : d + "/") + name
                if fileExists(p) { return p }
            }
            throw .configurationNotFound(name, searched: directories)
        }
        let paths = [try path("tw2sp.json"), try path("s2twp.json"), try path("t2s.json"), try path("s2t.json")]
        converters = try Converters(paths: paths)
    }

    /// The text first, then its distinct regional variants: `軟體` → `["軟體", "软件"]`, `软件` →
    /// `["软件", "軟體"]`, `常熟` → `["常熟"]`.
    ///
    /// A variant is OpenCC's conversion of the text (`tw2sp` first, then `s2twp`) when it differs
    /// in words, not only in script: `参观` has none (`參觀` is the same word in Traditional
    /// characters, which `BigramAnalyzer.Options.foldTraditional` is for), and neither has text
    /// OpenCC changes nothing in.
    ///
    /// Text without Han characters is returned alone without calling OpenCC. Any text is accepted:
    /// empty, very long, with NUL characters (each part between NULs is converted on its own; the
    /// NULs stay). A conversion OpenCC reports as failed adds no variant.
    ///
    /// - Complexity: up to six OpenCC conversions when the text has Han characters (linear in its
    ///   length; tens of microseconds for a 2–6 character word, see the README's "Regional word
    ///   variants"), otherwise one scan of its scalars.
    public func variants(of text: String) -> [String] {
        guard Self.hasHan(text) else { return [text] }
        let c = converters
        guard let simplified = c.convert(text, with: c.traditionalToSimplified) else { return [text] }
        let traditionalOnly = simplified != text
        let simplifiedOnly = c.convert(text, with: c.simplifiedToTraditional).map { $0 != text } ?? false
        var out = [text]
        func add(_ variant: String?) {
            // A variant differing only in script (参观/參觀) is not a word variant: folding is for those.
            guard let variant, !out.contains(variant), c.convert(variant, with: c.traditionalToSimplified) != simplified else { return }
            out.append(variant)
        }
        if !(simplifiedOnly && !traditionalOnly) { add(c.convert(text, with: c.taiwanToMainland)) }
        if !(traditionalOnly && !simplifiedOnly) { add(c.convert(text, with: c.mainlandToTaiwan)) }
        return out
    }

    /// The query with each phrase that has regional variants replaced by the alternatives
    /// `Query.any(_:)` of the phrase and its variants (``variants(of:)``), with the
    /// same field and prefix flag; phrases without variants, and filters, stay as they are.
    ///
    /// Exclusions are expanded too: `-軟體` excludes the documents with `软件` as well. A document
    /// matching several variants scores as for an `OR` of them.
    ///
    /// - Complexity: one ``variants(of:)`` per phrase of the query.
    public func expand(_ query: Query) -> Query {
        switch query {
        case .phrase(let text, let field, let prefix):
            let vs = variants(of: text)
            guard vs.count > 1 else { return query }
            return .any(vs.map { .phrase($0, field: field, prefix: prefix) })
        case .all(let qs): return .all(qs.map(expand))
        case .any(let qs): return .any(qs.map(expand))
        case .not(let q): return .not(expand(q))
        case .filter: return query
        }
    }

    /// Whether `text` has a Han character (CJK ideographs, their extensions, compatibility
    /// ideographs and radicals): the only text OpenCC's configurations change.
    static func hasHan(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            switch s.value {
            case 0x2E80...0x2FDF, 0x3005, 0x3007, 0x3021...0x3029, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF,
                 0x20000...0x3FFFF:
                return true
            default:
                return false
            }
        }
    }
}

extension RegionalVariants: CustomStringConvertible {
    /// `RegionalVariants(tw2sp, s2twp)` and the configuration paths.
    public var description: String { "RegionalVariants(" + converters.paths.joined(separator: ", ") + ")" }
}

/// Why ``RegionalVariants`` could not be loaded.
public enum RegionalVariantsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The OpenCC configuration (such as `tw2sp.json`) is in none of the directories searched: the
    /// OpenCC data is not installed, or is elsewhere (give ``RegionalVariants/init(dataDirectory:)``
    /// its directory).
    case configurationNotFound(String, searched: [String])
    /// OpenCC could not load the configuration at `path` (a damaged file, or a dictionary it names
    /// is missing); `message` is OpenCC's.
    case configurationFailed(path: String, message: String)

    /// One line naming the file, where it was looked for, and what to install.
    public var description: String {
        switch self {
        case .configurationNotFound(let name, let searched):
            return "the OpenCC configuration \(name) is not in \(searched.joined(separator: ", ")): install the OpenCC data "
                + "(Debian/Ubuntu: apt-get install libopencc-data, which libopencc-dev brings; macOS: brew install opencc)"
        case .configurationFailed(let path, let message):
            return "OpenCC cannot load \(path): \(message.isEmpty ? "unknown error" : message)"
                + " (reinstall the OpenCC data: Debian/Ubuntu libopencc-data)"
        }
    }
}

/// OpenCC's error message is one global string (`opencc_error` is documented as the one function
/// that is not thread-safe), set by a failed `opencc_open`: opening and reading it are done under
/// this lock. Conversions do not take it.
private let openLock = Locked(())

/// The four OpenCC handles, closed when the last ``RegionalVariants`` copy goes.
///
/// `@unchecked Sendable`: the handles are set once in `init` and never changed; OpenCC's
/// converters are read-only after loading (dictionary lookups with per-call state), and its C API
/// declares every function but `opencc_error` thread-safe. The one write a conversion can make is
/// to that error string, on failure, which valid UTF-8 input without NULs (all this type passes)
/// does not cause.
private final class Converters: @unchecked Sendable {
    let taiwanToMainland: opencc_t
    let mainlandToTaiwan: opencc_t
    let traditionalToSimplified: opencc_t
    let simplifiedToTraditional: opencc_t
    let paths: [String]

    /// Opens `paths` (tw2sp, s2twp, t2s, s2t) in that order.
    init(paths: [String]) throws(RegionalVariantsError) {
        var handles: [opencc_t] = []
        for p in paths {
            let opened: Result<opencc_t, RegionalVariantsError> = openLock.withLock { _ in
                let h = opencc_open(p)
                if h == nil || h == opencc_t(bitPattern: -1) {
                    let message = opencc_error().map { String(cString: $0) } ?? ""
                    return .failure(.configurationFailed(path: p, message: message))
                }
                return .success(h!)
            }
            switch opened {
            case .success(let h): handles.append(h)
            case .failure(let e):
                for h in handles { opencc_close(h) }
                throw e
            }
        }
        taiwanToMainland = handles[0]
        mainlandToTaiwan = handles[1]
        traditionalToSimplified = handles[2]
        simplifiedToTraditional = handles[3]
        self.paths = paths
    }

    deinit {
        for h in [taiwanToMainland, mainlandToTaiwan, traditionalToSimplified, simplifiedToTraditional] {
            opencc_close(h)
        }
    }

    /// `text` converted by `handle`, or nil when OpenCC fails. OpenCC's C API stops at a NUL (its
    /// result is a C string), so the parts between NULs are converted one by one.
    func convert(_ text: String, with handle: opencc_t) -> String? {
        let utf8 = Array(text.utf8)
        guard !utf8.contains(0) else {
            var out: [String] = []
            for part in utf8.split(separator: 0, omittingEmptySubsequences: false) {
                guard let converted = convert(String(decoding: part, as: UTF8.self), with: handle) else { return nil }
                out.append(converted)
            }
            return out.joined(separator: "\u{0}")
        }
        if utf8.isEmpty { return text }
        return utf8.withUnsafeBufferPointer { buffer -> String? in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            guard let result = opencc_convert_utf8(handle, base, buffer.count) else { return nil }
            defer { opencc_convert_utf8_free(result) }
            return String(cString: result)
        }
    }
}

/// Whether a regular file (or a link to one) is at `path`.
private func fileExists(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}
