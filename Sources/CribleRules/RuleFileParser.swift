import CribleCore
import Foundation

/// Turns the text of a rule file into a ``RuleFile`` and diagnostics.
///
/// The parser is deliberately forgiving in what it skips and strict in what it reports: a rule
/// with a problem is left out and reported, its neighbours still load.
public enum RuleFileParser {
    public static let supportedVersion = 1

    static let topKeys: Set<String> = ["crible", "labels", "rules", "lexicon", "plugins"]
    static let pluginKeys: Set<String> = ["id", "command", "labels", "lang", "description", "timeout", "examples", "plugin", "options"]
    static let pluginExampleKeys: Set<String> = ["text", "labels"]
    static let ruleKeys: Set<String> = ["id", "label", "description", "lang", "weight", "where", "min_count",
                                        "case_sensitive", "disguised", "keywords", "regex", "near", "all", "any",
                                        "at_least", "none", "examples"]
    static let kindKeys: Set<String> = ["keywords", "regex", "near", "all", "any", "none"]
    static let exampleKeys: Set<String> = ["match", "no_match"]
    static let nearKeys: Set<String> = ["a", "b", "within"]
    static let labelKeys: Set<String> = ["description", "iptc"]
    static let lexiconKeys: Set<String> = ["id", "lang", "valences", "boosters", "negators", "negators_after", "contrast", "concessive",
                                           "examples"]
    static let lexiconExampleKeys: Set<String> = ["positive", "negative", "neutral"]

    public static func parse(_ text: String, path: String) -> (RuleFile?, [Diagnostic]) {
        parse(text, path: path, keepingTreeIn: nil)
    }

    /// - Parameter keeper: where the YAML tree goes once read, to be freed later off the loading
    ///   path (about 2 % of the work of loading the bundled packs, measured with `perf`).
    static func parse(_ text: String, path: String, keepingTreeIn keeper: TreeKeeper?) -> (RuleFile?, [Diagnostic]) {
        let reader = YAMLReader(file: path)
        let root: YAMLNode?
        switch reader.compose(text) {
        case .success(let node): root = node
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
        guard let root else {
            return (nil, [Diagnostic(.error, "E005", "the file is empty; a rule file starts with `crible: 1`",
                                     file: path, line: 1, column: 1)])
        }
        defer { keeper?.keep(root) }
        guard let top = reader.mapping(root, context: "a rule file", allowed: topKeys) else {
            return (nil, reader.diagnostics)
        }
        var file = RuleFile(path: path)
        var sawVersion = false
        for (key, keyNode, value) in top {
            switch key {
            case "crible":
                sawVersion = true
                if let version = reader.integer(value, context: "`crible` (the format version)"),
                   version != supportedVersion {
                    reader.error("E005", "unsupported rule-file version \(version); this Crible reads version \(supportedVersion)", at: value)
                    return (nil, reader.diagnostics)
                }
            case "labels":
                file.labels = parseLabels(value, reader: reader)
            case "rules":
                guard let sequence = value.sequence else {
                    reader.error("E003", "`rules` must be a list of rules, found \(reader.kindName(value))", at: value)
                    continue
                }
                for item in sequence {
                    guard let (rule, complete) = parseRule(item, reader: reader) else { continue }
                    if complete { file.rules.append(rule) } else { file.rulesWithErrors.append(rule) }
                }
            case "lexicon":
                file.lexicon = parseLexicon(value, reader: reader, lines: LineIndex(Array(text.utf8)))
            case "plugins":
                guard let sequence = value.sequence else {
                    reader.error("E003", "`plugins` must be a list, found \(reader.kindName(value))", at: value)
                    continue
                }
                for item in sequence {
                    if item.value(forKey: "plugin") != nil {
                        if let configuration = parsePluginConfiguration(item, reader: reader) {
                            file.pluginConfigurations.append(configuration)
                        }
                    } else if let plugin = parsePlugin(item, reader: reader) {
                        file.plugins.append(plugin)
                    }
                }
            default:
                reader.error("E002", "unknown key `\(key)`", at: keyNode)
            }
        }
        if !sawVersion {
            reader.error("E005", "missing `crible: 1` (the rule-file format version)", at: root,
                         hint: "add `crible: 1` as the first line")
        }
        return (file, reader.diagnostics)
    }

    static func location(_ node: YAMLNode, _ reader: YAMLReader) -> SourceLocation {
        SourceLocation(file: reader.file, line: node.mark.line, column: node.mark.column)
    }

    // MARK: Labels

    static let labelPattern = try! NSRegularExpression(pattern: "^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)+$")

    static func isValidLabel(_ label: String) -> Bool {
        labelPattern.firstMatch(in: label, range: NSRange(label.startIndex..., in: label)) != nil
    }

    static func parseLabels(_ node: YAMLNode, reader: YAMLReader) -> [LabelDefinition] {
        guard let mapping = node.mapping else {
            reader.error("E003", "`labels` must be a mapping of label names to their description", at: node)
            return []
        }
        var labels: [LabelDefinition] = []
        for (keyNode, value) in mapping {
            guard let name = reader.string(keyNode, context: "a label name") else { continue }
            guard isValidLabel(name) else {
                reader.error("E006", "invalid label name `\(name)`", at: keyNode,
                             hint: "labels look like `namespace/name`: lower case, digits and `-`")
                continue
            }
            var definition = LabelDefinition(name: name, location: location(keyNode, reader))
            guard let pairs = reader.mapping(value, context: "label `\(name)`", allowed: labelKeys) else { continue }
            for (key, _, field) in pairs {
                switch key {
                case "description": definition.description = reader.string(field, context: "`description`")
                case "iptc": definition.iptc = reader.string(field, context: "`iptc`")
                default: break
                }
            }
            labels.append(definition)
        }
        return labels
    }

    // MARK: Rules

    static let idPattern = try! NSRegularExpression(pattern: "^[A-Za-z0-9_][A-Za-z0-9._-]*$")

    /// The rule written at `node`, and whether it is complete: a rule with an error in one of its
    /// fields is still returned when its kind could be read, so that the compiler checks its
    /// label and patterns too and a file's mistakes are all reported in one run.
    static func parseRule(_ node: YAMLNode, reader: YAMLReader) -> (rule: RuleDefinition, complete: Bool)? {
        let errorsBefore = reader.diagnostics.filter { $0.severity == .error }.count
        guard let pairs = reader.mapping(node, context: "a rule", allowed: ruleKeys) else { return nil }
        let fields = Dictionary(pairs.map { ($0.key, ($0.keyNode, $0.value)) }, uniquingKeysWith: { first, _ in first })
        guard let (_, idNode) = fields["id"], let id = reader.nonEmptyString(idNode, context: "`id`") else {
            reader.error("E007", "a rule needs an `id`", at: node)
            return nil
        }
        if idPattern.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) == nil {
            reader.error("E006", "invalid rule id `\(id)`", at: idNode,
                         hint: "ids use letters, digits, `.`, `_` and `-`, e.g. `topic.sport.football`")
        }
        let ruleContext = "rule `\(id)`"
        var label: String?
        if let (_, node) = fields["label"], let value = reader.nonEmptyString(node, context: "`label` of \(ruleContext)") {
            if isValidLabel(value) { label = value } else {
                reader.error("E006", "invalid label name `\(value)` in \(ruleContext)", at: node,
                             hint: "labels look like `namespace/name`: lower case, digits and `-`")
            }
        }
        var description = ""
        if let (_, node) = fields["description"] {
            description = reader.nonEmptyString(node, context: "`description` of \(ruleContext)") ?? ""
        } else {
            reader.error("E007", "\(ruleContext) needs a `description`", at: node)
        }
        var languages: [String]?
        if let (_, node) = fields["lang"], let values = reader.strings(node, context: "`lang` of \(ruleContext)") {
            languages = values.map { $0.0.lowercased() }
        }
        var weight = 0.5
        if let (_, node) = fields["weight"], let value = reader.number(node, context: "`weight` of \(ruleContext)") {
            if value < -1 || value > 1 || value == 0 {
                reader.error("E008", "`weight` must be in [-1, 1] and not 0, found \(value)", at: node)
            } else {
                weight = value
            }
        }
        var scope = RuleScope.any
        if let (_, node) = fields["where"], let value = reader.string(node, context: "`where` of \(ruleContext)") {
            if let parsed = RuleScope(rawValue: value) { scope = parsed } else {
                reader.error("E003", "`where` must be one of any, title, body; found `\(value)`", at: node)
            }
        }
        var minCount = 1
        if let (_, node) = fields["min_count"], let value = reader.integer(node, context: "`min_count` of \(ruleContext)") {
            if value >= 1 { minCount = value } else { reader.error("E008", "`min_count` must be at least 1", at: node) }
        }
        var caseSensitive = false
        if let (_, node) = fields["case_sensitive"], let value = reader.bool(node, context: "`case_sensitive`") {
            caseSensitive = value
        }
        var disguised = false
        if let (keyNode, node) = fields["disguised"], let value = reader.bool(node, context: "`disguised`") {
            disguised = value
            if value, fields["keywords"] == nil, fields["near"] == nil {
                reader.error("E009", "`disguised` applies to `keywords` and `near` rules, whose words can be read in disguise",
                             at: keyNode, hint: "a regular expression can spell out the disguises it accepts itself")
            }
        }

        let kinds = pairs.filter { kindKeys.contains($0.key) }.map(\.key)
        let isComposite = kinds.contains { ["all", "any", "none"].contains($0) }
        let simpleKinds = kinds.filter { ["keywords", "regex", "near"].contains($0) }
        var kind: RuleKind?
        if simpleKinds.count > 1 || (isComposite && !simpleKinds.isEmpty) {
            reader.error("E009", "\(ruleContext) has several kinds (\(kinds.joined(separator: ", "))); a rule has exactly one",
                         at: node, hint: "split it into several rules, or combine rules with a composite")
        } else if kinds.isEmpty {
            reader.error("E009", "\(ruleContext) has no kind", at: node,
                         hint: "add one of `keywords`, `regex`, `near`, or a composite (`all`, `any`, `none`)")
        } else if let simple = simpleKinds.first {
            let (_, valueNode) = fields[simple]!
            switch simple {
            case "keywords":
                let list = locatedStrings(valueNode, context: "`keywords` of \(ruleContext)", reader: reader)
                if list.isEmpty, valueNode.sequence?.isEmpty == true {
                    reader.error("E010", "`keywords` of \(ruleContext) is empty", at: valueNode)
                }
                kind = .keywords(list)
            case "regex":
                let list = locatedStrings(valueNode, context: "`regex` of \(ruleContext)", reader: reader)
                if list.isEmpty, valueNode.sequence?.isEmpty == true {
                    reader.error("E010", "`regex` of \(ruleContext) is empty", at: valueNode)
                }
                kind = .regex(list)
            default:
                kind = parseNear(valueNode, context: ruleContext, reader: reader)
            }
        } else {
            var all: [Located<String>] = [], any: [Located<String>] = [], none: [Located<String>] = []
            if let (_, n) = fields["all"] { all = locatedStrings(n, context: "`all` of \(ruleContext)", reader: reader) }
            if let (_, n) = fields["any"] { any = locatedStrings(n, context: "`any` of \(ruleContext)", reader: reader) }
            if let (_, n) = fields["none"] { none = locatedStrings(n, context: "`none` of \(ruleContext)", reader: reader) }
            var atLeast = 1
            if let (_, n) = fields["at_least"], let value = reader.integer(n, context: "`at_least` of \(ruleContext)") {
                if value < 1 || value > max(1, any.count) {
                    reader.error("E008", "`at_least` must be between 1 and the number of rules in `any` (\(any.count))", at: n)
                } else {
                    atLeast = value
                }
            }
            if all.isEmpty && any.isEmpty {
                reader.error("E009", "composite \(ruleContext) needs `all` or `any` (a rule cannot fire on `none` alone)", at: node)
            } else {
                kind = .composite(all: all, any: any, atLeast: atLeast, none: none)
            }
        }
        if fields["at_least"] != nil, !isComposite {
            reader.error("E009", "`at_least` only applies to composite rules (with `any`)", at: fields["at_least"]!.0)
        }

        var examples = RuleExamples()
        if let (_, node) = fields["examples"], let examplePairs = reader.mapping(node, context: "`examples` of \(ruleContext)", allowed: exampleKeys) {
            for (key, _, value) in examplePairs {
                let list = locatedStrings(value, context: "`examples.\(key)` of \(ruleContext)", reader: reader)
                if key == "match" { examples.match = list } else { examples.noMatch = list }
            }
        }
        let errorsAfter = reader.diagnostics.filter { $0.severity == .error }.count
        guard let kind else { return nil }
        let rule = RuleDefinition(id: id, label: label, description: description, languages: languages, weight: weight,
                                  scope: scope, minCount: minCount, caseSensitive: caseSensitive, disguised: disguised, kind: kind,
                                  examples: examples, location: location(node, reader))
        return (rule, errorsAfter == errorsBefore)
    }

    static func parseNear(_ node: YAMLNode, context: String, reader: YAMLReader) -> RuleKind? {
        guard let pairs = reader.mapping(node, context: "`near` of \(context)", allowed: nearKeys) else { return nil }
        var a: [Located<String>] = [], b: [Located<String>] = []
        var within: Int?
        for (key, _, value) in pairs {
            switch key {
            case "a": a = locatedStrings(value, context: "`near.a` of \(context)", reader: reader)
            case "b": b = locatedStrings(value, context: "`near.b` of \(context)", reader: reader)
            default:
                if let value = reader.integer(value, context: "`near.within`") {
                    if value >= 0 { within = value } else { reader.error("E008", "`within` must be 0 or more", at: node) }
                }
            }
        }
        guard !a.isEmpty, !b.isEmpty, let within else {
            reader.error("E009", "`near` of \(context) needs `a`, `b` (keyword lists) and `within` (tokens)", at: node)
            return nil
        }
        return .near(a: a, b: b, within: within)
    }

    static func locatedStrings(_ node: YAMLNode, context: String, reader: YAMLReader) -> [Located<String>] {
        (reader.strings(node, context: context) ?? []).compactMap { value, itemNode in
            // Nearly every item starts with a printable ASCII byte and is not blank: said without
            // a Unicode property lookup (this runs for every keyword of every file).
            let startsPrintable = value.utf8.first.map { $0 > 0x20 && $0 < 0x7F } ?? false
            if !startsPrintable, value.allSatisfy(\.isWhitespace) {
                reader.error("E010", "empty string in \(context)", at: itemNode)
                return nil
            }
            return Located(value, location(itemNode, reader))
        }
    }

    // MARK: Plugins

    static func parsePluginConfiguration(_ node: YAMLNode, reader: YAMLReader) -> PluginConfiguration? {
        let errorsBefore = reader.diagnostics.filter { $0.severity == .error }.count
        guard let pairs = reader.mapping(node, context: "a plugin configuration", allowed: ["id", "plugin", "options", "description"]) else {
            return nil
        }
        let fields = Dictionary(pairs.map { ($0.key, ($0.keyNode, $0.value)) }, uniquingKeysWith: { first, _ in first })
        guard let (_, idNode) = fields["id"], let id = reader.nonEmptyString(idNode, context: "`id`") else {
            reader.error("E007", "a plugin configuration needs an `id`", at: node)
            return nil
        }
        guard let plugin = fields["plugin"].flatMap({ reader.nonEmptyString($0.1, context: "`plugin`") }) else { return nil }
        var values: [String: PluginOptions.Value] = [:]
        var locations: [String: SourceLocation] = [:]
        if let (_, optionsNode) = fields["options"] {
            guard let mapping = optionsNode.mapping else {
                reader.error("E003", "`options` of `\(id)` must be a mapping", at: optionsNode)
                return nil
            }
            for (keyNode, valueNode) in mapping {
                guard let key = reader.string(keyNode, context: "an option name") else { continue }
                locations[key] = location(keyNode, reader)
                if let sequence = valueNode.sequence {
                    values[key] = .list(sequence.compactMap { reader.string($0, context: "`\(key)`") })
                } else if let scalar = valueNode.scalar {
                    if scalar.style == .plain, let number = Double(scalar.string) {
                        values[key] = .number(number)
                    } else if scalar.style == .plain, ["true", "false"].contains(scalar.string) {
                        values[key] = .bool(scalar.string == "true")
                    } else {
                        values[key] = .string(scalar.string)
                    }
                } else {
                    reader.error("E003", "option `\(key)` must be a string, a number, true/false or a list", at: valueNode)
                }
            }
        }
        guard reader.diagnostics.filter({ $0.severity == .error }).count == errorsBefore else { return nil }
        return PluginConfiguration(id: id, plugin: plugin, options: PluginOptions(values), optionLocations: locations,
                                   location: location(node, reader))
    }

    // MARK: External plugins

    static func parsePlugin(_ node: YAMLNode, reader: YAMLReader) -> ExternalPluginDefinition? {
        let errorsBefore = reader.diagnostics.filter { $0.severity == .error }.count
        guard let pairs = reader.mapping(node, context: "a plugin", allowed: pluginKeys) else { return nil }
        let fields = Dictionary(pairs.map { ($0.key, ($0.keyNode, $0.value)) }, uniquingKeysWith: { first, _ in first })
        guard let (_, idNode) = fields["id"], let id = reader.nonEmptyString(idNode, context: "`id`") else {
            reader.error("E007", "a plugin needs an `id`", at: node)
            return nil
        }
        let context = "plugin `\(id)`"
        let command = fields["command"].flatMap { reader.strings($0.1, context: "`command` of \(context)") }?.map(\.0) ?? []
        if command.isEmpty { reader.error("E007", "\(context) needs a `command` (the program and its arguments)", at: node) }
        let labels = fields["labels"].flatMap { reader.strings($0.1, context: "`labels` of \(context)") }?.map(\.0) ?? []
        if labels.isEmpty { reader.error("E007", "\(context) needs `labels` (what it may emit)", at: node) }
        for label in labels where !isValidLabel(label) {
            reader.error("E006", "invalid label name `\(label)` in \(context)", at: fields["labels"]?.1)
        }
        let languages = fields["lang"].flatMap { reader.strings($0.1, context: "`lang` of \(context)") }?.map { $0.0.lowercased() }
        let description = fields["description"].flatMap { reader.nonEmptyString($0.1, context: "`description` of \(context)") } ?? ""
        if fields["description"] == nil { reader.error("E007", "\(context) needs a `description`", at: node) }
        var timeout = 10.0
        if let (_, n) = fields["timeout"], let value = reader.number(n, context: "`timeout` of \(context)") {
            if value > 0 && value <= 600 { timeout = value } else { reader.error("E008", "`timeout` must be in (0, 600] seconds", at: n) }
        }
        var examples: [ExternalPluginDefinition.Example] = []
        if let (_, n) = fields["examples"] {
            if let sequence = n.sequence {
                for item in sequence {
                    guard let examplePairs = reader.mapping(item, context: "an example of \(context)", allowed: pluginExampleKeys) else { continue }
                    var text: String?, expected: [String] = []
                    for (key, _, value) in examplePairs {
                        if key == "text" { text = reader.nonEmptyString(value, context: "`text`") } else {
                            expected = (reader.strings(value, context: "`labels`") ?? []).map(\.0)
                        }
                    }
                    if let text { examples.append(.init(text: text, labels: expected, location: location(item, reader))) }
                }
            } else {
                reader.error("E003", "`examples` of \(context) must be a list of {text, labels}", at: n)
            }
        }
        guard reader.diagnostics.filter({ $0.severity == .error }).count == errorsBefore else { return nil }
        return ExternalPluginDefinition(id: id, command: command, labels: labels, languages: languages, description: description,
                                        timeout: timeout, examples: examples, location: location(node, reader))
    }

    // MARK: Lexicons

    static func parseLexicon(_ node: YAMLNode, reader: YAMLReader, lines: LineIndex) -> LexiconDefinition? {
        guard let pairs = reader.mapping(node, context: "`lexicon`", allowed: lexiconKeys) else { return nil }
        let fields = Dictionary(pairs.map { ($0.key, ($0.keyNode, $0.value)) }, uniquingKeysWith: { first, _ in first })
        guard let (_, idNode) = fields["id"], let id = reader.nonEmptyString(idNode, context: "`lexicon.id`") else {
            reader.error("E007", "a lexicon needs an `id`", at: node)
            return nil
        }
        guard let (_, langNode) = fields["lang"], let language = reader.nonEmptyString(langNode, context: "`lexicon.lang`") else {
            reader.error("E007", "lexicon `\(id)` needs a `lang` (one language per lexicon file)", at: node)
            return nil
        }
        var lexicon = LexiconDefinition(id: id, language: language.lowercased(), location: location(node, reader))
        if let (_, n) = fields["valences"] {
            lexicon.valences = parseEntries(n, context: "`valences`", range: -4...4, reader: reader, lines: lines)
        }
        if let (_, n) = fields["boosters"] {
            lexicon.boosters = parseEntries(n, context: "`boosters`", range: -2...2, reader: reader, lines: lines)
        }
        if let (_, n) = fields["negators"] { lexicon.negators = locatedStrings(n, context: "`negators`", reader: reader) }
        if let (_, n) = fields["negators_after"] {
            lexicon.negatorsAfter = locatedStrings(n, context: "`negators_after`", reader: reader)
        }
        if let (_, n) = fields["contrast"] { lexicon.contrast = locatedStrings(n, context: "`contrast`", reader: reader) }
        if let (_, n) = fields["concessive"] {
            lexicon.concessive = locatedStrings(n, context: "`concessive`", reader: reader)
        }
        if let (_, n) = fields["examples"],
           let examplePairs = reader.mapping(n, context: "`lexicon.examples`", allowed: lexiconExampleKeys) {
            for (key, _, value) in examplePairs {
                let list = locatedStrings(value, context: "`examples.\(key)`", reader: reader)
                switch key {
                case "positive": lexicon.examples.positive = list
                case "negative": lexicon.examples.negative = list
                default: lexicon.examples.neutral = list
                }
            }
        }
        return lexicon
    }

    /// Parses a block of `term value` lines; each entry keeps the line it was written on.
    static func parseEntries(_ node: YAMLNode, context: String, range: ClosedRange<Double>, reader: YAMLReader,
                             lines: LineIndex) -> [Located<LexiconEntry>] {
        guard let scalar = node.scalar else {
            reader.error("E003", "\(context) must be a block of `term value` lines (use `\(context.dropFirst().dropLast()): |`)", at: node)
            return []
        }
        let startLine = node.mark.line
        // In a literal block (`|`) the content starts on the line after the indicator.
        let firstContentLine = scalar.style == .literal || scalar.style == .folded ? startLine + 1 : startLine
        var entries: [Located<LexiconEntry>] = []
        // Lexicon blocks hold thousands of lines: they are cut on bytes (space, tab, newline),
        // never walked as grapheme clusters.
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        for (index, rawLine) in scalar.string.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var parts = rawLine.split(whereSeparator: blank)
            guard let first = parts.first, first.first != UInt8(ascii: "#") else { continue }
            // A comment after the value: `magnifi* 3.0   # why`.
            if let hash = parts.firstIndex(where: { $0.first == UInt8(ascii: "#") }), hash >= 2,
               Double(String(decoding: parts[hash - 1], as: UTF8.self)) != nil {
                parts.removeSubrange(hash...)
            }
            // The line as written (blanks normalised) is only needed to report it.
            var line: String { parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ") }
            let lineNumber = firstContentLine + index
            let column = lines.indentation(ofLine: lineNumber) + 1
            let place = SourceLocation(file: reader.file, line: lineNumber, column: column)
            guard parts.count >= 2, let value = Double(String(decoding: parts[parts.count - 1], as: UTF8.self)) else {
                let line = line
                reader.report(Diagnostic(.error, "E011", "\(context): expected `term value`, found `\(line)`",
                                                     file: reader.file, line: lineNumber, column: column, length: line.count))
                continue
            }
            guard range.contains(value) else {
                reader.report(Diagnostic(.error, "E008", "\(context): value \(value) is outside \(range.lowerBound)…\(range.upperBound)",
                                                     file: reader.file, line: lineNumber, column: column, length: line.count))
                continue
            }
            let term = parts.count == 2
                ? String(decoding: parts[0], as: UTF8.self)
                : parts.dropLast().map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            entries.append(Located(LexiconEntry(term: term, value: value), place))
        }
        return entries
    }
}
