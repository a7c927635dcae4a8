import CribleCore
import CribleRules
import Foundation
import PCRE2

/// Compiled rules, plugins and policy: classify many documents with one engine.
///
/// Classifying is a pure function of (engine, document): the same input gives the same verdict,
/// and an engine can be shared by any number of tasks (every per-document scratch is created
/// inside ``classify(_:)``).
public struct Engine: Sendable {
    public static let version = "0.1.0"

    public let ruleSet: CompiledRuleSet
    public let policy: Policy
    public let languageIdentifier: any LanguageIdentifier
    public let classifiers: [any Classifier]
    public let scorer: Scorer
    public let sentiment: SentimentAnalyzer
    /// Rule ids turned off by configuration.
    public let disabledRules: Set<String>
    /// The policy's lowest and highest label thresholds: a score below the first, or at or above
    /// the second, is decided without hashing its label to look its own threshold up.
    /// The score from which each of the rule set's labels (by number) is a label of the
    /// verdict: the policy's threshold, or none for the language and sentiment labels, which
    /// always are. Compared with a score for every document: the policy's table by name hashed
    /// the name each time.
    private let thresholdsByNumber: [Double]

    public init(ruleSet: CompiledRuleSet, policy: Policy,
                languageIdentifier: any LanguageIdentifier = BuiltinPlugins.languageIdentifier,
                classifiers: [any Classifier]? = nil,
                scorer: Scorer = Scorer(), sentiment: SentimentAnalyzer = SentimentAnalyzer(),
                disabledRules: Set<String> = []) {
        self.ruleSet = ruleSet
        self.policy = policy
        self.languageIdentifier = languageIdentifier
        // Swift plugins (built in, then registered by the program), then the external programs
        // the rule packs declare.
        self.classifiers = classifiers
            ?? PluginRegistry.classifiers + ruleSet.externalPlugins.map { ExternalCommandClassifier(definition: $0) }
        self.scorer = scorer
        self.sentiment = sentiment
        self.disabledRules = disabledRules
        thresholdsByNumber = ruleSet.labelNames.map { Engine.threshold(of: $0, under: policy) }
        plugins = self.classifiers.map { classifier in
            let descriptor = classifier.descriptor
            // A plugin runs when the loaded rule packs declare one of its labels: the bundled
            // moderation pack turns the PII plugin on; `--no-default-rules` with a pack that does
            // not mention `moderation/pii` turns it off.
            return Plugin(classifier: classifier, descriptor: descriptor, stage: "plugin \(descriptor.id)",
                          needsLanguage: classifier is any LanguageDependentClassifier,
                          runs: !disabledRules.contains(descriptor.id) && descriptor.labels.contains { ruleSet.labels[$0] != nil })
        }
    }

    /// A plugin with what is known of it before any document: its descriptor (built anew at each
    /// read, examples and all, which cost a plugin more than its own work on short texts), and
    /// whether this engine runs it at all. A class: the loop over the plugins of every document
    /// copied each as a struct, retaining and releasing its descriptor's strings and arrays one
    /// by one (some 1,400 instructions a document, 1.5 % of classifying a tweet).
    private final class Plugin: Sendable {
        let classifier: any Classifier
        let descriptor: ClassifierDescriptor
        let stage: String
        let needsLanguage: Bool
        let runs: Bool

        init(classifier: any Classifier, descriptor: ClassifierDescriptor, stage: String, needsLanguage: Bool, runs: Bool) {
            self.classifier = classifier
            self.descriptor = descriptor
            self.stage = stage
            self.needsLanguage = needsLanguage
            self.runs = runs
        }
    }

    private let plugins: [Plugin]

    /// The same rules and plugins under another policy (per-path profiles).
    public func with(policy: Policy) -> Engine {
        Engine(ruleSet: ruleSet, policy: policy, languageIdentifier: languageIdentifier, classifiers: classifiers,
               scorer: scorer, sentiment: sentiment, disabledRules: disabledRules)
    }

    /// The score from which `label` is a label of a verdict under `policy` (see `thresholdsByNumber`).
    private static func threshold(of label: String, under policy: Policy) -> Double {
        label.utf8.starts(with: "lang/".utf8) || label.utf8.starts(with: "sentiment/".utf8) ? -.infinity : policy.threshold(for: label)
    }

    /// The document's language: the one its input declared, else the one identified in its text.
    /// Rules and lexicons are chosen by it.
    public func language(of document: Document, text: TextView) -> LanguageGuess {
        if let declared = document.declaredLanguage { return LanguageGuess(code: declared, confidence: 1, declared: true) }
        return languageIdentifier.identify(text)
    }

    /// Texts of at most this many tokens whose language is undetermined are scored with the
    /// lexicon that knows most of their words (see ``lexiconByVocabulary(of:)``).
    static let shortTextTokens = 12

    /// For a short text of undetermined language, the sentiment lexicon that covers at least
    /// half of its words, more of them than any other, when one does. A comment of a word or two
    /// ("Magnifique", "Quelle horreur", "Nul", "Awful") holds none of the function words language
    /// identification counts, and without a language it got no sentiment at all. Only the
    /// lexicon is chosen so: the language stays undetermined, so every rule still runs on the
    /// text (rules of both languages run on undetermined ones), where taking the lexicon's
    /// language for the text's would stop the rules of the other: once accents are folded a
    /// word of one language may be a term of the other (`retard`, `negatives`). Half, because one
    /// such word among several says nothing. Returns the lexicon's matches too, for the analyzer.
    func lexiconByVocabulary(of text: TextView) -> (lexicon: CompiledLexicon, terms: [PhraseMatch])? {
        guard text.tokens.count <= Engine.shortTextTokens else { return nil }
        var best: (lexicon: CompiledLexicon, terms: [PhraseMatch], covered: Int)?
        var tied = false
        var covered = [Bool](repeating: false, count: text.tokens.count)
        // In code order, so that the choice does not depend on the dictionary's.
        for code in ruleSet.lexicons.keys.sorted() {
            let lexicon = ruleSet.lexicons[code]!
            for index in covered.indices { covered[index] = false }
            let terms = lexicon.terms.matches(in: text)
            for match in terms {
                for token in match.firstToken...match.lastToken { covered[token] = true }
            }
            let count = covered.lazy.filter { $0 }.count
            guard count > 0, 2 * count >= text.tokens.count else { continue }
            if count > best?.covered ?? 0 {
                best = (lexicon, terms, count)
                tied = false
            } else if count == best?.covered {
                tied = true
            }
        }
        guard let best, !tied else { return nil }
        return (best.lexicon, best.terms)
    }

    /// - Parameter scratch: what the rules reuse from one document to the next (see
    ///   ``RuleScratch``): a caller that classifies many documents on one thread passes the same
    ///   one each time; a new one is made when `nil`.
    public func classify(_ document: Document, profiler: Profiler? = nil, scratch: RuleScratch? = nil) -> Verdict {
        func stage<T>(_ name: String, _ work: () -> T) -> T {
            guard let profiler else { return work() }
            return profiler.measure("stage: \(name)", work)
        }
        let text = stage("text view") { TextView(document.content) }
        // 1. Language (a stage of the profile only when it is identified). Rules are gated by it.
        let language = document.declaredLanguage != nil
            ? self.language(of: document, text: text) : stage("language") { self.language(of: document, text: text) }
        let context = DocumentContext(document: document, text: text, language: language)

        // 2. Rules, after one walk of the tokens for their phrases and the sentiment lexicon's.
        let phraseMatches = stage("keywords and lexicon terms") { ruleSet.phraseMatches(in: text, language: language.code) }
        let scratch = scratch ?? RuleScratch()
        var (evidence, issues) = stage("rules") {
            ruleSet.evaluate(context, scratch: scratch, profiler: profiler, phraseMatches: phraseMatches)
        }
        if !disabledRules.isEmpty { evidence.removeAll { disabledRules.contains($0.ruleID) } }

        // 3. Sentiment (the lexicon looked up once: a lookup by language code hashes the string).
        let lexicon = ruleSet.lexicons[language.code]
        let sentimentResult = stage("sentiment") {
            if lexicon == nil, language.code == LanguageGuess.undetermined.code, let chosen = lexiconByVocabulary(of: text) {
                return sentiment.analyze(text, lexicon: chosen.lexicon, termMatches: chosen.terms)
            }
            return sentiment.analyze(text, lexicon: lexicon, termMatches: phraseMatches.lexiconTerms)
        }

        // 4. Plugins.
        for plugin in plugins where plugin.runs {
            if let languages = plugin.descriptor.languages, language.code != "und", !languages.contains(language.code) { continue }
            if plugin.needsLanguage, language.code == "und" { continue }
            do {
                evidence += try stage(plugin.stage) { Result { try plugin.classifier.classify(context) } }.get()
            } catch {
                issues.append(ClassificationIssue(source: plugin.descriptor.id, message: "plugin failed: \(error)"))
            }
        }

        // 5. Inline suppressions written in the content.
        let suppressions = Suppression.parse(text.original)
        var used = Set<Int>()
        var suppressedCount = 0
        if !suppressions.isEmpty {
            evidence = evidence.compactMap { item in
                var kept = item
                kept.hits = item.hits.filter { hit in
                    guard let start = hit.firstSpan?.lowerBound else { return true }
                    let matching = suppressions.indices.filter { index in
                        suppressions[index].region.contains(start) && suppressions[index].covers(ruleID: item.ruleID, label: item.label)
                    }
                    used.formUnion(matching)
                    return matching.isEmpty
                }[...]
                suppressedCount += item.hits.count - kept.hits.count
                return kept.hits.isEmpty ? nil : kept
            }
        }

        // 6. Scores, labels, policy.
        let labelNames = ruleSet.labelNames, labelCodes = ruleSet.labelCodes, labelNumbers = ruleSet.labelNumbers
        let (numbered, named) = scorer.numberedScores(for: evidence, titleRange: document.titleRange, tokens: text.tokens.count,
                                                      labelCount: labelNames.count, number: { labelNumbers[$0] })
        // Each candidate with whether it is a label of the verdict: the language and the
        // sentiment always are, the others from their threshold.
        var scored: [(candidate: LabelScore, isLabel: Bool)] = []
        scored.reserveCapacity(numbered.count + named.count + 2)
        for (number, score) in numbered {
            let rounded = (score * 10_000).rounded() / 10_000
            scored.append((LabelScore(label: labelNames[Int(number)], score: rounded, iptc: labelCodes[Int(number)]),
                           rounded >= thresholdsByNumber[Int(number)]))
        }
        for (label, score) in named {
            let rounded = (score * 10_000).rounded() / 10_000
            scored.append((LabelScore(label: label, score: rounded, iptc: ruleSet.labels[label]?.iptc),
                           rounded >= Engine.threshold(of: label, under: policy)))
        }
        scored.append((LabelScore(label: "lang/\(language.code)", score: language.confidence), true))
        if lexicon != nil {
            let strength = sentimentResult.label == "sentiment/neutral" ? 1 - abs(sentimentResult.score) : abs(sentimentResult.score)
            scored.append((LabelScore(label: sentimentResult.label, score: (strength * 10_000).rounded() / 10_000), true))
        }
        scored.sort { $0.candidate.score != $1.candidate.score ? $0.candidate.score > $1.candidate.score : $0.candidate.label < $1.candidate.label }
        // One pass, into arrays sized once (`filter` grew its result through copies).
        var candidates: [LabelScore] = [], labels: [LabelScore] = []
        candidates.reserveCapacity(scored.count)
        labels.reserveCapacity(scored.count)
        for (candidate, isLabel) in scored {
            candidates.append(candidate)
            if isLabel { labels.append(candidate) }
        }
        let (action, reasons) = policy.decide(candidates)
        // Made whole: fields set after it was made had the compiler copy the verdict out and
        // destroy the one it made, each of its twenty-odd references retained and released.
        return Verdict(document: document, language: language, labels: labels, candidateScores: candidates,
                       sentiment: sentimentResult, evidence: evidence, action: action, reasons: reasons,
                       issues: issues, text: text,
                       unusedSuppressions: suppressions.indices.filter { !used.contains($0) }.map { suppressions[$0] },
                       suppressedHits: suppressedCount)
    }
}

/// Loads an engine from rule folders and a policy file, the way the CLI does.
public struct EngineLoader: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let diagnostics: [Diagnostic]
        public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    public struct Loaded: Sendable {
        public let engine: Engine
        /// Problems found while loading; errors here mean some rules were left out.
        public let diagnostics: [Diagnostic]
    }

    public init() {}

    /// - Returns: the engine built from everything that loaded, and every diagnostic. Rule-file
    ///   errors leave the faulty rules out; the caller decides whether that fails the run.
    public func load(rulePaths: [String], policyPath: String?, disabledRules: Set<String> = [],
                     compiler: RuleCompiler = RuleCompiler()) throws(Failure) -> Loaded {
        let result = RuleLoader(compiler: compiler).load(paths: rulePaths)
        var diagnostics = result.diagnostics
        let policy: Policy
        if let policyPath {
            let (loaded, policyDiagnostics) = Policy.load(path: policyPath)
            diagnostics += policyDiagnostics
            guard let loaded else { throw Failure(diagnostics: diagnostics) }
            policy = loaded
        } else {
            policy = .allowAll
        }
        let (classifiers, pluginDiagnostics) = EngineLoader.configuredClassifiers(result.ruleSet)
        diagnostics += pluginDiagnostics
        let engine = Engine(ruleSet: result.ruleSet, policy: policy, classifiers: classifiers, disabledRules: disabledRules)
        return Loaded(engine: engine, diagnostics: diagnostics)
    }

    /// The registered Swift plugins with the options rule packs gave them, then the external
    /// programs the packs declare. A configuration naming an unknown plugin, an option it does not
    /// take, or a bad value is an error at its place; the plugin then keeps its defaults.
    public static func configuredClassifiers(_ ruleSet: CompiledRuleSet) -> ([any Classifier], [Diagnostic]) {
        var classifiers = PluginRegistry.classifiers
        var diagnostics: [Diagnostic] = []
        var configured: [String: SourceLocation] = [:]
        for configuration in ruleSet.pluginConfigurations {
            let place = configuration.location
            guard let index = classifiers.firstIndex(where: { $0.descriptor.id == configuration.plugin }) else {
                let known = classifiers.map(\.descriptor.id).sorted().joined(separator: ", ")
                diagnostics.append(Diagnostic(.error, "E018", "unknown plugin `\(configuration.plugin)` (known: \(known))",
                                              file: place.file, line: place.line, column: place.column))
                continue
            }
            if let first = configured[configuration.plugin] {
                diagnostics.append(Diagnostic(.error, "E012", "plugin `\(configuration.plugin)` is configured twice (first at \(first))",
                                              file: place.file, line: place.line, column: place.column))
                continue
            }
            configured[configuration.plugin] = place
            guard let configurable = classifiers[index] as? any ConfigurableClassifier else {
                if !configuration.options.values.isEmpty {
                    diagnostics.append(Diagnostic(.error, "E018", "plugin `\(configuration.plugin)` takes no options",
                                                  file: place.file, line: place.line, column: place.column))
                }
                continue
            }
            do {
                classifiers[index] = try configurable.validatedConfiguration(configuration.options)
            } catch {
                let at = configuration.optionLocations[error.key] ?? place
                diagnostics.append(Diagnostic(.error, "E019", error.message, file: at.file, line: at.line, column: at.column))
            }
        }
        classifiers += ruleSet.externalPlugins.map { ExternalCommandClassifier(definition: $0) }
        return (classifiers, diagnostics)
    }
}
