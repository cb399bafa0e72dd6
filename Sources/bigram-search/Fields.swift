import ArgumentParser
import BigramSearch

/// One `--field NAME[:PART]…` option: a field of the corpus, its type, and how it is indexed.
///
/// The value is the name followed by `:`-separated parts, each a `key=value` setting or a bare
/// word: a type (`text`, the default; `keyword`, `int`, `double`, `date`: a typed field, filtered,
/// sorted and faceted, never searched by words), `boost=B` (a text field's ranking weight),
/// `stored-only` (a text field kept and returned, not searchable). An unknown part is a usage
/// error naming it.
struct FieldSpec: ExpressibleByArgument, Equatable {
    var name: String
    var kind: FieldKind = .text
    var boost: Double?
    var storedOnly = false

    /// The form, for messages.
    static let form = "NAME[:TYPE][:boost=B][:stored-only], TYPE one of text, keyword, int, double, date"

    init?(argument: String) {
        guard let spec = try? Self.parse(argument) else { return nil }
        self = spec
    }

    init(name: String, kind: FieldKind = .text, boost: Double? = nil, storedOnly: Bool = false) {
        self.name = name
        self.kind = kind
        self.boost = boost
        self.storedOnly = storedOnly
    }

    /// Parses `NAME[:TYPE][:boost=B][:stored-only]`, or throws a message saying what is wrong.
    static func parse(_ argument: String) throws(ValidationError) -> FieldSpec {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        guard !name.isEmpty, name.utf8.allSatisfy(isFieldNameByte) else {
            throw ValidationError("--field \(argument): the field name must be ASCII letters, digits or _ (the form is \(form))")
        }
        var spec = FieldSpec(name: name)
        var typeGiven = false
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
                    throw ValidationError("--field \(argument): unknown setting '\(key)' (known: TYPE, boost=B, stored-only)")
                }
            } else if let kind = FieldKind(rawValue: part) {
                guard !typeGiven else { throw ValidationError("--field \(argument): the type is given twice") }
                typeGiven = true
                spec.kind = kind
            } else {
                switch part {
                case "stored-only": spec.storedOnly = true
                default:
                    throw ValidationError("--field \(argument): unknown part '\(part)' (known: a type text, keyword, int, double or date; boost=B; stored-only)")
                }
            }
        }
        if spec.kind.isTyped && spec.boost != nil {
            throw ValidationError("--field \(argument): a \(spec.kind) field is not searched by words, so it has no boost")
        }
        if spec.kind.isTyped && spec.storedOnly {
            throw ValidationError("--field \(argument): a \(spec.kind) field is never searched by words; stored-only is for text fields")
        }
        if spec.storedOnly && spec.boost != nil {
            throw ValidationError("--field \(argument): a stored-only field is not searched, so it has no boost")
        }
        return spec
    }

    var field: Schema.Field {
        kind.isTyped ? Schema.Field(name, kind: kind) : Schema.Field(name, indexed: !storedOnly, boost: boost)
    }

    private static func isFieldNameByte(_ a: UInt8) -> Bool {
        (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x5A) || (a >= 0x61 && a <= 0x7A) || a == 0x5F
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// How a corpus is indexed: its fields and the analyzer's options (shared by `index`, and by
/// `search`/`stats` when they index a corpus on the fly).
struct SchemaOptions: ParsableArguments {
    @Option(name: .customLong("field"), help: ArgumentHelp(
        "A field of the corpus (JSON key), repeatable: NAME[:TYPE][:boost=B][:stored-only]; TYPE text (the default), keyword, int, double or date (typed: for --filter, --sort, --facet). Default text fields: text, and title with boost 2 (kept unless a --field names a text field).",
        valueName: "field"))
    var fieldArguments: [String] = []

    @Flag(help: "Fold Traditional Chinese to Simplified (stored with the index).")
    var foldTraditional = false

    @Flag(help: "Index a unigram for every CJK character as well as bigrams (stored with the index).")
    var unigrams = false

    func validate() throws {
        var seen = Set<String>()
        for a in fieldArguments {
            let spec = try FieldSpec.parse(a)
            guard seen.insert(spec.name).inserted else { throw ValidationError("--field \(spec.name) is given twice") }
        }
        guard schema.fields.contains(where: \.indexed) else {
            throw ValidationError(fieldArguments.contains { (try? FieldSpec.parse($0))?.kind == .text }
                ? "at least one --field must be searchable (not stored-only)"
                : "at least one text field must be searchable (typed fields are not searched by words)")
        }
    }

    /// The schema: the fields of `--field` in order; when none of them is a text field, `text`
    /// and `title` (boost 2) first (but those named as typed fields), then the typed fields.
    var schema: Schema {
        let specs = fieldArguments.compactMap { try? FieldSpec.parse($0) }
        if specs.contains(where: { $0.kind == .text }) { return Schema(specs.map(\.field)) }
        let typed = Set(specs.map(\.name))
        return Schema(Schema.corpusTitleAndText.fields.filter { !typed.contains($0.name) } + specs.map(\.field))
    }

    /// The analyzer's options.
    var analyzerOptions: BigramAnalyzer.Options { .init(foldTraditional: foldTraditional, emitUnigrams: unigrams) }

    /// An analyzer with these options.
    func analyzer() throws(CLIError) -> BigramAnalyzer {
        do { return try BigramAnalyzer(analyzerOptions) } catch { throw CLIError(describe(error)) }
    }
}

extension CorpusOptions {
    /// Reading options for a corpus whose JSON keys are the fields of `schema` (text fields as
    /// text, typed fields as values of their kind).
    func options(for schema: Schema) -> CorpusReader.Options {
        var o = options
        o.read(schema)
        return o
    }
}
