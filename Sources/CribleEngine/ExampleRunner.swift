import CribleCore
import CribleRules
import Foundation
import PCRE2

/// Runs the examples written in rule files, lexicons and plugins: they are documentation and
/// tests at once.
///
/// Every example also runs in altered forms that real text takes — upper case, accents as
/// combining marks, typographic apostrophes, an emoji in front — and the spans must follow.
public struct ExampleRunner: Sendable {
    public enum Variant: String, Sendable, CaseIterable {
        case original
        case uppercase
        case decomposedAccents = "decomposed-accents"
        case typographicApostrophes = "typographic-apostrophes"
        case emojiPrefix = "emoji-prefix"

        /// Applied to the marked text, so the expected spans move with it.
        func apply(_ marked: String) -> String {
            switch self {
            case .original: marked
            case .uppercase: marked.uppercased()
            case .decomposedAccents: marked.decomposedStringWithCanonicalMapping
            case .typographicApostrophes: marked.replacingOccurrences(of: "'", with: "\u{2019}")
            // A neutral emoji (four UTF-8 bytes), so that sentiment examples keep their polarity.
            case .emojiPrefix: "📰 " + marked
            }
        }
    }

    public struct Result: Sendable {
        public var subject: String
        public var kind: String
        public var variant: Variant
        public var location: SourceLocation?
        public var text: String
        public var passed: Bool
        public var message: String
    }

    public let engine: Engine

    public init(engine: Engine) { self.engine = engine }

    /// An example or fixture line as a document in the language it was written for: examples do
    /// not depend on language identification.
    static func context(id: String, text: String, language: String) -> DocumentContext {
        DocumentContext(document: Document(id: id, body: text, language: language), text: TextView(text),
                        language: LanguageGuess(code: language, confidence: 1, declared: true))
    }

    /// Examples of every rule loaded from `files` (all rules when `nil`).
    public func runRuleExamples(files: Set<String>? = nil) -> [Result] {
        let files = files.map { Set($0.map(resolvedPath)) }
        var results: [Result] = []
        let scratch = RuleScratch()
        for rule in engine.ruleSet.rules {
            guard files.map({ $0.contains(resolvedPath(rule.definition.location.file)) }) ?? true else { continue }
            let definition = rule.definition
            let variants = Variant.allCases.filter { variant in
                !(definition.caseSensitive && (variant == .uppercase || variant == .decomposedAccents))
            }
            let language = definition.languages?.count == 1 ? definition.languages![0] : "und"
            for example in definition.examples.match {
                for variant in variants {
                    results.append(check(rule: rule, example: example, expectMatch: true, variant: variant,
                                         language: language, scratch: scratch))
                }
            }
            for example in definition.examples.noMatch {
                for variant in variants {
                    results.append(check(rule: rule, example: example, expectMatch: false, variant: variant,
                                         language: language, scratch: scratch))
                }
            }
        }
        return results
    }

    func check(rule: CompiledRule, example: Located<String>, expectMatch: Bool, variant: Variant, language: String,
               scratch: RuleScratch) -> Result {
        let kind = expectMatch ? "match" : "no_match"
        func result(_ passed: Bool, _ text: String, _ message: String) -> Result {
            Result(subject: rule.id, kind: kind, variant: variant, location: example.location, text: text,
                   passed: passed, message: message)
        }
        let marked: MarkedExample
        do {
            marked = try MarkedExample(parsing: variant.apply(example.value))
        } catch {
            return result(false, example.value, "unpaired ↓ marker")
        }
        let context = ExampleRunner.context(id: "example", text: marked.text, language: language)
        let (evidence, issues) = engine.ruleSet.evaluate(context, scratch: scratch)
        if let issue = issues.first(where: { $0.source == rule.id }) {
            return result(false, marked.text, issue.message)
        }
        let fired = evidence.first { $0.ruleID == rule.id }
        if !expectMatch {
            guard let fired else { return result(true, marked.text, "") }
            return result(false, marked.text, "the rule fired but should not: \(describe(fired.spans, in: marked.text))")
        }
        guard let fired else { return result(false, marked.text, "the rule did not fire") }
        guard marked.hasMarkers else { return result(true, marked.text, "") }
        var actual: [Range<Int>] = []
        for span in fired.spans.sorted(by: { $0.lowerBound < $1.lowerBound }) where !actual.contains(span) { actual.append(span) }
        let expected = marked.spans.sorted { $0.lowerBound < $1.lowerBound }
        if actual == expected { return result(true, marked.text, "") }
        return result(false, marked.text,
                      "spans differ\n    expected: \(describe(expected, in: marked.text))\n    actual:   \(describe(actual, in: marked.text))")
    }

    /// Fixture files: `name.fixture.txt` beside `name.yaml`. Each non-comment line is classified on
    /// its own; the annotations above it say which rules must fire on it (`# ruleid: id`) and which
    /// must not (`# ok: id`); `# lang: fr` sets the language of the lines that follow.
    public func runFixtures(ruleFiles: [String]) -> [Result] {
        var results: [Result] = []
        let scratch = RuleScratch()
        for ruleFile in ruleFiles {
            let base = ruleFile.hasSuffix(".yaml") ? String(ruleFile.dropLast(5)) : String(ruleFile.dropLast(4))
            let fixture = base + ".fixture.txt"
            guard let text = try? String(contentsOfFile: fixture, encoding: .utf8) else { continue }
            var language = "und"
            var mustFire: [String] = [], mustNotFire: [String] = []
            for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = String(rawLine)
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                if trimmed.hasPrefix("#") {
                    let body = trimmed.dropFirst().trimmingCharacters(in: .whitespaces)
                    let parts = body.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2 else { continue }
                    let ids = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    switch parts[0] {
                    case "ruleid": mustFire += ids
                    case "ok": mustNotFire += ids
                    case "lang": language = parts[1].lowercased()
                    default: break
                    }
                    continue
                }
                let location = SourceLocation(file: fixture, line: index + 1, column: 1)
                let context = ExampleRunner.context(id: "\(fixture):\(index + 1)", text: line, language: language)
                let fired = Set(engine.ruleSet.evaluate(context, scratch: scratch).evidence.map(\.ruleID))
                for id in mustFire {
                    let known = engine.ruleSet.rule(withID: id) != nil
                    results.append(Result(subject: id, kind: "ruleid", variant: .original, location: location, text: line,
                                          passed: known && fired.contains(id),
                                          message: known ? "the rule did not fire" : "no loaded rule has this id"))
                }
                for id in mustNotFire {
                    let known = engine.ruleSet.rule(withID: id) != nil
                    results.append(Result(subject: id, kind: "ok", variant: .original, location: location, text: line,
                                          passed: known && !fired.contains(id),
                                          message: known ? "the rule fired but should not" : "no loaded rule has this id"))
                }
                mustFire.removeAll()
                mustNotFire.removeAll()
            }
        }
        return results
    }

    /// Examples of every lexicon: each must get the stated polarity with all lexicons of its
    /// language together.
    public func runLexiconExamples(files: Set<String>? = nil) -> [Result] {
        let files = files.map { Set($0.map(resolvedPath)) }
        var results: [Result] = []
        for (language, lexicon) in engine.ruleSet.lexicons.sorted(by: { $0.key < $1.key }) {
            for definition in lexicon.definitions {
                guard files.map({ $0.contains(resolvedPath(definition.location.file)) }) ?? true else { continue }
                let groups = [("positive", definition.examples.positive), ("negative", definition.examples.negative),
                              ("neutral", definition.examples.neutral)]
                for (polarity, examples) in groups {
                    for example in examples {
                        for variant in [Variant.original, .uppercase, .decomposedAccents, .typographicApostrophes, .emojiPrefix] {
                            let text = variant.apply(example.value)
                            let sentiment = engine.sentiment.analyze(TextView(text), lexicon: lexicon)
                            let actual = sentiment.score > engine.sentiment.neutralBand ? "positive"
                                : sentiment.score < -engine.sentiment.neutralBand ? "negative" : "neutral"
                            let passed = actual == polarity
                            let terms = sentiment.terms.map { "\($0.term)=\(String(format: "%.2f", $0.adjustedValence))" }
                            results.append(Result(subject: "\(definition.id) (\(language))", kind: polarity, variant: variant,
                                                  location: example.location, text: text, passed: passed,
                                                  message: passed ? "" : "expected \(polarity), got \(actual) (score \(String(format: "%.3f", sentiment.score)); terms: \(terms.joined(separator: ", ")))"))
                        }
                    }
                }
            }
        }
        return results
    }

    /// Examples of the language identifier and of every classifier plugin.
    public func runPluginExamples() -> [Result] {
        var results: [Result] = []
        let identifier = engine.languageIdentifier
        for example in identifier.descriptor.examples {
            let guess = identifier.identify(TextView(example.text))
            let label = ["fr", "en"].contains(guess.code) ? "lang/\(guess.code)" : "lang/und"
            let passed = example.labels == [label]
            results.append(Result(subject: identifier.descriptor.id, kind: "labels", variant: .original, location: nil,
                                  text: example.text, passed: passed,
                                  message: passed ? "" : "expected \(example.labels), got \(label)"))
        }
        for classifier in engine.classifiers {
            for example in classifier.descriptor.examples {
                for variant in [Variant.original, .emojiPrefix, .typographicApostrophes] {
                    results.append(check(classifier: classifier, example: example, variant: variant))
                }
            }
        }
        return results
    }

    func check(classifier: any Classifier, example: ClassifierExample, variant: Variant) -> Result {
        let id = classifier.descriptor.id
        func result(_ passed: Bool, _ text: String, _ message: String) -> Result {
            Result(subject: id, kind: example.labels.isEmpty ? "no_match" : "match", variant: variant, location: nil,
                   text: text, passed: passed, message: message)
        }
        guard let marked = try? MarkedExample(parsing: variant.apply(example.text)) else {
            return result(false, example.text, "unpaired ↓ marker")
        }
        let language = example.language ?? "und"
        let context = ExampleRunner.context(id: "example", text: marked.text, language: language)
        let evidence: [Evidence]
        do { evidence = try classifier.classify(context) } catch {
            return result(false, marked.text, "the plugin threw: \(error)")
        }
        let labels = Set(evidence.compactMap(\.label))
        guard labels == Set(example.labels) else {
            return result(false, marked.text, "expected labels \(example.labels.sorted()), got \(labels.sorted())")
        }
        if marked.hasMarkers {
            var actual: [Range<Int>] = []
            for span in evidence.flatMap(\.spans).sorted(by: { $0.lowerBound < $1.lowerBound }) where !actual.contains(span) {
                actual.append(span)
            }
            if actual != marked.spans {
                return result(false, marked.text, "spans differ\n    expected: \(describe(marked.spans, in: marked.text))\n    actual:   \(describe(actual, in: marked.text))")
            }
        }
        return result(true, marked.text, "")
    }

    func describe(_ spans: [Range<Int>], in text: String) -> String {
        if spans.isEmpty { return "(none)" }
        let bytes = Array(text.utf8)
        return spans.map { span in
            let slice = span.upperBound <= bytes.count ? String(decoding: bytes[span], as: UTF8.self) : "?"
            return "«\(slice)» \(span.lowerBound)..<\(span.upperBound)"
        }.joined(separator: ", ")
    }
}
