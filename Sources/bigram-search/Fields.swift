import ArgumentParser
import BigramSearch

/// One `--field NAME[:PART]…` option: a text field of the corpus and how it is indexed.
///
/// The value is the name followed by `:`-separated parts, each a `key=value` setting or a bare
/// word: `boost=B` (its ranking weight), `stored-only` (kept and returned, not searchable). An
/// unknown part is a usage error naming it. Parts are told apart by their text, so a later
/// `NAME:TYPE` part (`keyword`, `int`, `double`, `date`) slots into ``parse(_:)`` as one more
/// case of the bare words.
struct FieldSpec: ExpressibleByArgument, Equatable {
    var name: String
    var boost: Double?
    var storedOnly = false

    init?(argument: String) {
        guard let spec = try? Self.parse(argument) else { return nil }
        self = spec
    }

    init(name: String, boost: Double? = nil, storedOnly: Bool = false) {
        self.name = name
        self.boost = boost
        self.storedOnly = storedOnly
    }

    /// Parses `NAME[:boost=B][:stored-only]`, or throws a message saying what is wrong.
    static func parse(_ argument: String) throws(ValidationError) -> FieldSpec {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        guard !name.isEmpty, name.utf8.allSatisfy(isFieldNameByte) else {
            throw ValidationError("--field \(argument): the field name must be ASCII letters, digits or _ (the form is NAME[:boost=B][:stored-only])")
        }
        var spec = FieldSpec(name: name)
        for part in parts.dropFirst() {
            if let eq = part.firstIndex(of: "=") {
                let key = part[..<eq], value = part[part.index(after: eq)...]
                switch key {
                case "boost":
                    guard spec.boost == nil else { throw ValidationError("--field \(argument): boost is given twice") }
                    guard let b = Double(value), b.isFinite, b >= 0 else {
                        throw ValidationError("--field \(argument): boost must be a number ≥ 0, not '\(value)'")
                    }
                    spec.boost = b
                default:
                    throw ValidationError("--field \(argument): unknown setting '\(key)' (known: boost=B, stored-only)")
                }
            } else {
                switch part {
                case "stored-only": spec.storedOnly = true
                // A field type (keyword, int, double, date) would be one more bare word here.
                default:
                    throw ValidationError("--field \(argument): unknown part '\(part)' (known: boost=B, stored-only)")
                }
            }
        }
        if spec.storedOnly && spec.boost != nil {
            throw ValidationError("--field \(argument): a stored-only field is not searched, so it has no boost")
        }
        return spec
    }

    var field: Schema.Field { Schema.Field(name, indexed: !storedOnly, boost: boost) }

    private static func isFieldNameByte(_ a: UInt8) -> Bool {
        (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x5A) || (a >= 0x61 && a <= 0x7A) || a == 0x5F
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// How a corpus is indexed: its fields and the analyzer's options (shared by `index`, and by
/// `search`/`stats` when they index a corpus on the fly).
struct SchemaOptions: ParsableArguments {
    @Option(name: .customLong("field"), help: ArgumentHelp(
        "A text field of the corpus (JSON key), repeatable: NAME[:boost=B][:stored-only]. Default: text, and title with boost 2.",
        valueName: "field"))
    var fieldArguments: [String] = []

    @Flag(help: "Fold Traditional Chinese to Simplified (stored with the index).")
    var foldTraditional = false

    @Flag(help: "Index a unigram for every CJK character as well as bigrams (stored with the index).")
    var unigrams = false

    func validate() throws {
        var seen = Set<String>()
        var indexed = false
        for a in fieldArguments {
            let spec = try FieldSpec.parse(a)
            guard seen.insert(spec.name).inserted else { throw ValidationError("--field \(spec.name) is given twice") }
            if !spec.storedOnly { indexed = true }
        }
        if !fieldArguments.isEmpty && !indexed { throw ValidationError("at least one --field must be searchable (not stored-only)") }
    }

    /// The schema: the `--field` options, or `text` and `title` (boost 2).
    var schema: Schema {
        let specs = fieldArguments.compactMap { try? FieldSpec.parse($0) }
        return specs.isEmpty ? .corpusTitleAndText : Schema(specs.map(\.field))
    }

    /// The analyzer's options.
    var analyzerOptions: BigramAnalyzer.Options { .init(foldTraditional: foldTraditional, emitUnigrams: unigrams) }

    /// An analyzer with these options.
    func analyzer() throws(CLIError) -> BigramAnalyzer {
        do { return try BigramAnalyzer(analyzerOptions) } catch { throw CLIError(describe(error)) }
    }
}

extension CorpusOptions {
    /// Reading options for a corpus whose JSON keys are the fields of `schema`.
    func options(for schema: Schema) -> CorpusReader.Options {
        var o = options
        o.textKeys = Set(schema.fields.map(\.name))
        return o
    }
}
