import CribleCore
import Dispatch
import PCRE2

/// A rule ready to run. A class, so that the hot loops of `evaluate` pass references around
/// instead of copying a definition full of strings and arrays.
public final class CompiledRule: Sendable {
    public enum Kind: Sendable {
        case keywords
        case regex([Regex])
        case near(within: Int)
        case composite(all: [Int], any: [Int], atLeast: Int, none: [Int])
    }

    public let definition: RuleDefinition
    public let kind: Kind
    let languages: Set<String>?

    public var id: String { definition.id }
    public var label: String? { definition.label }

    init(definition: RuleDefinition, kind: Kind, languages: Set<String>?) {
        self.definition = definition
        self.kind = kind
        self.languages = languages
    }

    func applies(to language: String) -> Bool {
        guard let languages else { return true }
        return language == "und" || languages.contains(language)
    }
}

/// A composite rule as `evaluate` reads it: the rules it names are
/// `operands[allStart..<anyStart]` (all), `[anyStart..<noneStart]` (any, at least `atLeast`) and
/// `[noneStart..<end]` (none).
struct CompositePlan: Sendable {
    let rule: Int32
    let atLeast: Int32
    let allStart: Int32
    let anyStart: Int32
    let noneStart: Int32
    let end: Int32
}

/// The parts of a rule that the per-document passes read, copied out once.
struct RuleTraits: Sendable {
    enum Kind: Sendable { case keywords, near, other }
    let kind: Kind
    let within: Int
    let caseSensitive: Bool
    let scope: RuleScope
    let minCount: Int

    init(_ rule: CompiledRule) {
        switch rule.kind {
        case .keywords: (kind, within) = (.keywords, 0)
        case .near(let reach): (kind, within) = (.near, reach)
        case .regex, .composite: (kind, within) = (.other, 0)
        }
        caseSensitive = rule.definition.caseSensitive
        scope = rule.definition.scope
        minCount = rule.definition.minCount
    }
}

/// The phrases of one document: the rules' (for ``CompiledRuleSet/evaluate(_:scratch:only:optimised:profiler:phraseMatches:)``)
/// and the terms of the sentiment lexicon of its language, if it has one (for
/// ``CompiledLexicon/termMatches(from:)``).
public struct DocumentPhraseMatches: Sendable {
    let rules: [PhraseMatch]
    public let lexiconTerms: [PhraseMatch]?
    /// Which rules apply to the language the text was walked for, when the rule set had them at
    /// hand (a language with a lexicon): the evaluation then need not look them up again by the
    /// language's code, which hashes the string.
    let activeRules: [Bool]?
}

/// Which list of which rule a phrase of the shared index belongs to.
struct PhraseOwner: Sendable {
    enum Side: UInt8, Sendable {
        case keyword, nearA, nearB

        /// A bit of its own, to note which sides a document has.
        var bit: UInt8 { 1 << rawValue }
    }
    let rule: Int32
    let side: Side
}

/// The immutable result of compiling rule files: what the engine runs for every document.
///
/// Compiled once, shared by every task (PCRE2 code is read-only after compilation; all per-match
/// state lives in the caller's ``MatchScratch``).
public struct CompiledRuleSet: Sendable {
    public let rules: [CompiledRule]
    public let labels: [String: LabelDefinition]
    public let lexicons: [String: CompiledLexicon]
    /// SHA-256 of every loaded file's path and content: identifies the rule set in verdicts.
    public let digest: String
    public let files: [String]
    /// External command plugins declared by the rule files.
    public let externalPlugins: [ExternalPluginDefinition]
    /// Options for Swift plugins, applied by the engine loader (which knows the plugins).
    public let pluginConfigurations: [PluginConfiguration]
    let phrases: PhraseIndex<PhraseOwner>
    /// The one-word keywords of the rules that also read them in disguise (`disguised: true`).
    let disguisedWords: DisguisedWords
    /// For each language with a sentiment lexicon, the phrases of the rules that apply to it and
    /// the lexicon's terms in one index (see ``phraseMatches(in:language:)``), and which rules
    /// apply to it.
    let phraseSearches: [String: (search: PhraseSearch<PhraseOwner, CompiledLexicon.Term>, activeRules: [Bool])]
    let ruleIndexByID: [String: Int]
    /// Composite rules, ordered so that every rule comes after the rules it names, as plain
    /// numbers, with the rules they name laid end to end in `compositeOperands`: reading them out
    /// of each rule's `Kind` for every document retained and released three arrays per composite.
    let compositePlans: [CompositePlan]
    let compositeOperands: [Int32]
    /// The plans that a rule's firing may let fire, by rule: `compositeTriggers[start[r] ..<
    /// start[r + 1]]` with `start` = `compositeTriggerStart`. A plan with rules that must all
    /// fire is triggered by its first; one with none such, by each rule of which it needs some.
    /// A document visits only the plans its fired rules trigger, where it read every plan, a
    /// cost a one-line comment paid in full.
    let compositeTriggerStart: [Int32]
    let compositeTriggers: [Int32]
    /// Plans that may fire with none of their rules fired (only rules that must not fire, or
    /// "at least 0" of some), checked on every document. The rule files the parser accepts make
    /// none (a composite needs `all` or `any`, and `at_least` is 1 or more); kept so that the
    /// triggers skip no plan whatever rules they are given.
    let compositesAlwaysChecked: [Int32]
    /// Every regex pattern, with its rule's index, in the order the prefilter knows them: read
    /// here without taking the rule's list of patterns out of its kind (a retain and a release for
    /// each rule a document tries).
    let regexPatterns: [(rule: Int, regex: Regex)]
    /// For each of `regexPatterns` at risk of catastrophic backtracking (lint warning W001), the
    /// part of it that every match holds (see ``RegexGuard``), compiled alone: the pattern is
    /// skipped on a text where it is not found, instead of spending its match limit there.
    let guards: [Regex?]
    /// Every position of `regexPatterns`, in order: what a document tries when the prefilter is off.
    let everyRegexPattern: [Int32]
    let prefilter: RegexPrefilter
    /// For each of `regexPatterns`, the words its matches start with, when known (see
    /// ``LeadingWords``): the pattern is then tried only where one of them starts a word.
    /// Never for case-sensitive, caseless or extended patterns, nor for those run with the
    /// tight limits of a risky shape, whose limit must bound the whole scan.
    let leadingWords: [LeadingWords?]
    /// Which rules apply to a document, by language code, for every language some rule names;
    /// `otherLanguages` for the rest. Computed once, so the per-match check is an array read.
    let activeByLanguage: [String: [Bool]]
    let activeForOtherLanguages: [Bool]
    /// What the per-document passes need of each rule, as plain values: reading them from the
    /// rule itself copied its definition (a dozen strings and arrays, each retained and released)
    /// for every rule with a match in every document.
    let traits: [RuleTraits]
    /// Every label that a rule gives or a labels file declares, by number (in name order), with
    /// its IPTC code; the number of each rule's label (`-1` for helpers); and each name's number,
    /// for evidence from plugins. Evidence carries its label's number (``Evidence/labelNumber``),
    /// so that scoring and the label list need no lookup by name.
    package let labelNames: [String]
    package let labelCodes: [String?]
    package let labelNumbers: [String: Int32]
    /// Each rule's evidence without its hits, laid end to end: a fired rule's evidence is a copy
    /// with the hits put in. Built from each rule's definition for every fired rule of every
    /// document, it read four fields through the rule object, scattered in memory, and was
    /// a tenth of the rules stage.
    let evidenceTemplates: [Evidence]

    init(rules: [CompiledRule], labels: [String: LabelDefinition], lexicons: [String: CompiledLexicon],
         digest: String, files: [String], externalPlugins: [ExternalPluginDefinition] = [],
         pluginConfigurations: [PluginConfiguration] = [],
         phrases: PhraseIndex<PhraseOwner>, compositeOrder: [Int],
         prebuiltPrefilter: (prefilter: RegexPrefilter, sources: [String])? = nil) {
        self.externalPlugins = externalPlugins
        self.pluginConfigurations = pluginConfigurations
        self.rules = rules
        self.labels = labels
        self.lexicons = lexicons
        self.digest = digest
        self.files = files
        self.phrases = phrases
        var disguisedWords = DisguisedWords()
        for (entry, (phrase, owner)) in zip(phrases.allPhrases, phrases.allPayloads).enumerated()
        where phrase.tokenCount == 1 && rules[Int(owner.rule)].definition.disguised {
            disguisedWords.add(phrase.token(0), isPrefix: phrase.isPrefix(0), entry: Int32(entry))
        }
        self.disguisedWords = disguisedWords
        let named = Set(rules.flatMap { $0.languages ?? [] }).union(["und"])
        let activeByLanguage = Dictionary(uniqueKeysWithValues: named.map { code in (code, rules.map { $0.applies(to: code) }) })
        let activeForOtherLanguages = rules.map { $0.languages == nil }
        self.activeByLanguage = activeByLanguage
        self.activeForOtherLanguages = activeForOtherLanguages
        // One search per language with a lexicon, built on as many cores: each inserts the
        // phrases of that language's rules and its lexicon's terms (some 10 ms on one core).
        let languageLexicons = lexicons.sorted { $0.key < $1.key }
        let searches = IndexedResults(count: languageLexicons.count,
                                      placeholder: (search: PhraseSearch(PhraseIndex<PhraseOwner>(), PhraseIndex<CompiledLexicon.Term>()),
                                                    activeRules: [Bool]()))
        DispatchQueue.concurrentPerform(iterations: languageLexicons.count) { turn in
            let (language, lexicon) = languageLexicons[turn]
            let activeRules = activeByLanguage[language] ?? activeForOtherLanguages
            searches.set(turn, (PhraseSearch(phrases, lexicon.terms, keepingFirst: phrases.allPayloads.map { activeRules[Int($0.rule)] }),
                                activeRules))
        }
        self.phraseSearches = Dictionary(uniqueKeysWithValues: zip(languageLexicons.map(\.key), searches.values()))
        var plans: [CompositePlan] = []
        var operands: [Int32] = []
        for index in compositeOrder {
            guard case .composite(let all, let any, let atLeast, let none) = rules[index].kind else { continue }
            let allStart = Int32(operands.count)
            operands += all.map(Int32.init)
            let anyStart = Int32(operands.count)
            operands += any.map(Int32.init)
            let noneStart = Int32(operands.count)
            operands += none.map(Int32.init)
            plans.append(CompositePlan(rule: Int32(index), atLeast: Int32(atLeast), allStart: allStart,
                                       anyStart: anyStart, noneStart: noneStart, end: Int32(operands.count)))
        }
        self.compositePlans = plans
        self.compositeOperands = operands
        var triggers = [[Int32]](repeating: [], count: rules.count)
        var alwaysChecked: [Int32] = []
        for (number, plan) in plans.enumerated() {
            if plan.allStart < plan.anyStart {
                triggers[Int(operands[Int(plan.allStart)])].append(Int32(number))
            } else if plan.anyStart < plan.noneStart, plan.atLeast >= 1 {
                for position in Int(plan.anyStart)..<Int(plan.noneStart) { triggers[Int(operands[position])].append(Int32(number)) }
            } else {
                alwaysChecked.append(Int32(number))
            }
        }
        self.compositeTriggerStart = triggers.reduce(into: [0]) { starts, plans in starts.append(starts.last! + Int32(plans.count)) }
        self.compositeTriggers = triggers.flatMap { $0 }
        self.compositesAlwaysChecked = alwaysChecked
        self.ruleIndexByID = Dictionary(rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.traits = rules.map(RuleTraits.init)
        let labelNames = Set(labels.keys).union(rules.compactMap(\.definition.label)).sorted()
        let labelNumbers = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        self.labelNames = labelNames
        self.labelCodes = labelNames.map { labels[$0]?.iptc }
        self.labelNumbers = labelNumbers
        self.evidenceTemplates = rules.map { rule in
            Evidence(ruleID: rule.definition.id, label: rule.definition.label,
                     labelNumber: rule.definition.label.flatMap { labelNumbers[$0] } ?? -1,
                     weight: rule.definition.weight, hits: [], source: .rule(file: rule.definition.location.file))
        }
        var patterns: [(rule: Int, regex: Regex)] = []
        var sources: [String] = []
        var leadingWordsAllowed: [Bool] = []
        for (index, rule) in rules.enumerated() {
            guard case .regex(let regexes) = rule.kind else { continue }
            for regex in regexes {
                patterns.append((index, regex))
                // Case-sensitive patterns run on the original text; the prefilter reads the folded
                // one, so they always run.
                sources.append(rule.definition.caseSensitive ? "" : regex.pattern)
                leadingWordsAllowed.append(CompiledRuleSet.mayTryAtLeadingWords(options: regex.options, limits: regex.limits))
            }
        }
        self.regexPatterns = patterns
        self.guards = patterns.map { CompiledRuleSet.guardPattern(for: $0.regex) }
        self.everyRegexPattern = patterns.indices.map { Int32($0) }
        // A prefilter built beforehand is used only if it was built from exactly these patterns.
        if let prebuiltPrefilter, prebuiltPrefilter.sources == sources,
           prebuiltPrefilter.prefilter.leadingWordsAllowed == leadingWordsAllowed {
            self.prefilter = prebuiltPrefilter.prefilter
        } else {
            self.prefilter = RegexPrefilter(patterns: sources, leadingWordsAllowed: leadingWordsAllowed)
        }
        self.leadingWords = prefilter.leadingWords
    }

    /// Whether a pattern compiled so may be tried only where its leading words start a word: not
    /// when caseless or extended (the words are read from the pattern as written), nor with the
    /// tight limits of a risky shape, which must bound the whole scan.
    static func mayTryAtLeadingWords(options: Regex.Options, limits: Regex.Limits) -> Bool {
        options.isDisjoint(with: [.caseless, .extended]) && limits == .standard
    }

    /// The factor of a pattern at risk (see ``guards``), compiled as the pattern was, or `nil`.
    static func guardPattern(for regex: Regex) -> Regex? {
        guard regex.options.isEmpty, RuleLinter.hasNestedUnboundedQuantifier(regex.pattern),
              let factor = RegexGuard.factor(of: regex.pattern) else { return nil }
        return try? Regex(factor, options: regex.options, limits: .standard)
    }

    public func rule(withID id: String) -> CompiledRule? { ruleIndexByID[id].map { rules[$0] } }

    /// The matches of active rules grouped by rule, in rule order, each rule's in text order: a
    /// counting sort over the rules that have matches, linear in the matches, where a comparison
    /// sort of (rule, position) pairs cost a tenth of rule evaluation. Returns the rule of each
    /// match beside the matches, so that each rule's run can be handed on as a slice, without a
    /// copy; the sides of each rule that occur are left in `grouping.sidesFound`, and the rules
    /// with matches, in order, in `grouping.rules` (see ``RuleGrouping/clear()``). The counts are
    /// per rule in the scratch, all 0 between documents: a running sum over every rule, made for
    /// every document, was a cost a comment of one word paid in full.
    private func groupedByRule(_ matches: [PhraseMatch], active: UnsafeBufferPointer<Bool>, into grouping: inout RuleGrouping)
        -> (rules: [Int32], matches: [PhraseMatch]) {
        // Most short comments have one match or none: nothing to sort.
        if matches.count <= 1 {
            guard let match = matches.first, case let owner = phrases.payload(of: match), active[Int(owner.rule)] else {
                return ([], [])
            }
            grouping.sidesFound[Int(owner.rule)] = owner.side.bit
            grouping.rules.append(owner.rule)
            return ([owner.rule], matches)
        }
        // Per match, its rule, or -1 when the rule is not active; per rule, its count, then where
        // its run starts (a running sum over the rules with matches alone, put in order first).
        grouping.owners.removeAll(keepingCapacity: true)
        grouping.owners.append(contentsOf: repeatElement(-1, count: matches.count))
        var kept = 0
        var distinct = grouping.rules
        grouping.rules = []
        defer { grouping.rules = distinct }
        grouping.owners.withUnsafeMutableBufferPointer { owners in
        grouping.counts.withUnsafeMutableBufferPointer { counts in
        grouping.sidesFound.withUnsafeMutableBufferPointer { sidesFound in
        grouping.ruleBits.withUnsafeMutableBufferPointer { ruleBits in
            for (position, match) in matches.enumerated() {
                let owner = phrases.payload(of: match)
                let rule = Int(owner.rule)
                guard active[rule] else { continue }
                owners[position] = owner.rule
                counts[rule] &+= 1
                sidesFound[rule] |= owner.side.bit
                ruleBits[rule &>> 6] |= 1 &<< UInt64(rule & 63)
                kept &+= 1
            }
            // The rules with matches in rule order, each given where its run starts; their bits
            // cleared on the way.
            var sum: Int32 = 0
            for word in ruleBits.indices where ruleBits[word] != 0 {
                var bits = ruleBits[word]
                ruleBits[word] = 0
                while bits != 0 {
                    let rule = word &<< 6 | bits.trailingZeroBitCount
                    bits &= bits &- 1
                    distinct.append(Int32(rule))
                    let count = counts[rule]
                    counts[rule] = sum
                    sum &+= count
                }
            }
        }}}}
        var sortedRules = [Int32](filledWith: 0, count: kept)
        let sortedMatches = [PhraseMatch](unsafeUninitializedCapacity: kept) { buffer, initialized in
            grouping.counts.withUnsafeMutableBufferPointer { next in
            grouping.owners.withUnsafeBufferPointer { owners in
            matches.withUnsafeBufferPointer { matches in
            sortedRules.withUnsafeMutableBufferPointer { sortedRules in
                for (rule, match) in zip(owners, matches) where rule >= 0 {
                    let position = Int(next[Int(rule)])
                    (buffer.baseAddress! + position).initialize(to: match)
                    sortedRules[position] = rule
                    next[Int(rule)] &+= 1
                }
            }}}}
            initialized = kept
        }
        for rule in distinct { grouping.counts[Int(rule)] = 0 }
        return (sortedRules, sortedMatches)
    }

    /// The rules' keyword and proximity phrases found in `text`, and, when `language` has a
    /// sentiment lexicon, its terms: in one walk of the tokens for both (see ``PhraseSearch``),
    /// for ``evaluate(_:scratch:only:optimised:profiler:phraseMatches:)`` and the sentiment
    /// analyzer.
    public func phraseMatches(in text: TextView, language: String) -> DocumentPhraseMatches {
        guard let (search, activeRules) = phraseSearches[language] else {
            return DocumentPhraseMatches(rules: ruleMatches(in: text), lexiconTerms: nil, activeRules: nil)
        }
        let (rules, terms) = search.matches(in: text)
        return DocumentPhraseMatches(rules: withDisguisedWords(rules, in: text), lexiconTerms: terms, activeRules: activeRules)
    }

    /// The rules' phrase matches in `text`, disguised words included, in token order: what the
    /// evaluation reads when no walk for a lexicon found them.
    private func ruleMatches(in text: TextView) -> [PhraseMatch] {
        withDisguisedWords(phrases.matches(in: text), in: text)
    }

    /// `matches` with those of the disguised words of `text` (see ``DisguisedWords``), each put
    /// after the matches starting at the same token, so that every rule's matches stay in order.
    private func withDisguisedWords(_ matches: [PhraseMatch], in text: TextView) -> [PhraseMatch] {
        let disguised = disguisedWords.matches(in: text)
        guard !disguised.isEmpty else { return matches }
        var merged: [PhraseMatch] = []
        merged.reserveCapacity(matches.count + disguised.count)
        var next = 0
        for match in matches {
            while next < disguised.count, disguised[next].firstToken < match.firstToken {
                merged.append(disguised[next])
                next += 1
            }
            merged.append(match)
        }
        merged += disguised[next...]
        return merged
    }

    /// Runs every applicable rule on one document.
    /// - Parameter optimised: skip regexes whose literal atoms do not occur in the text, run the
    ///   ASCII code of the others when the text allows it, and check only the composites that
    ///   a fired rule may let fire. None changes the result (a test checks this); turning them
    ///   off is for that test and for measuring what they save.
    /// - Parameter phraseMatches: what ``phraseMatches(in:language:)`` found in this document's
    ///   text for its language, when the caller walked it already for the sentiment lexicon too;
    ///   found here when `nil`.
    public func evaluate(_ context: DocumentContext, scratch: RuleScratch,
                         only ruleFilter: Set<String>? = nil,
                         optimised: Bool = true,
                         profiler: Profiler? = nil,
                         phraseMatches: DocumentPhraseMatches? = nil) -> (evidence: [Evidence], issues: [ClassificationIssue]) {
        let text = context.text
        let language = context.language.code
        // Indexed by rule: composites look rules up hundreds of times per document, and an array
        // read costs no hashing.
        var hitsByRule = scratch.takeHitTable(ruleCount: rules.count)
        defer { scratch.keep(hitsByRule) }
        var issues: [ClassificationIssue] = []

        var activeRules = phraseMatches?.activeRules ?? activeByLanguage[language] ?? activeForOtherLanguages
        if let ruleFilter {
            for index in activeRules.indices where !ruleFilter.contains(rules[index].id) { activeRules[index] = false }
        }
        func active(_ index: Int) -> Bool { activeRules[index] }

        // 1. One pass over the tokens for every keyword and proximity rule at once.
        let phraseStart = profiler == nil ? 0 : DispatchTime.now().uptimeNanoseconds
        // Matches grouped by rule; the grouping is stable, so each rule's matches stay in text order.
        let allMatches = phraseMatches?.rules ?? ruleMatches(in: text)
        // With the sides that occur of each rule, a bit each: a proximity rule missing one side
        // can have no hit. In AI news every AI term is a match of each AI-policy theme's rule,
        // and most themes' own words are absent: such a rule's matches are grouped but not paired.
        var grouping = scratch.takeGrouping(ruleCount: rules.count)
        defer {
            grouping.clear()
            scratch.keep(grouping)
        }
        let (groupRules, groupMatches) = activeRules.withUnsafeBufferPointer { groupedByRule(allMatches, active: $0, into: &grouping) }
        hitsByRule.reserveCapacity(groupMatches.count + 16)
        // The two sides of a proximity rule, split into arrays reused from rule to rule (a
        // `filter` per side grew two new arrays for each of them).
        var sideA: [PhraseMatch] = [], sideB: [PhraseMatch] = []
        sideA.reserveCapacity(groupMatches.count)
        sideB.reserveCapacity(groupMatches.count)
        var groupStart = 0
        while groupStart < groupRules.count {
            let index = Int(groupRules[groupStart])
            var groupEnd = groupStart + 1
            while groupEnd < groupRules.count, groupRules[groupEnd] == groupRules[groupStart] { groupEnd += 1 }
            let matches = groupMatches[groupStart..<groupEnd]
            groupStart = groupEnd
            let traits = traits[index]
            switch traits.kind {
            case .keywords:
                // Case first: `AIDS` and `Aids` fold alike, and the one written in the text must win.
                let kept = traits.caseSensitive
                    ? leftmostLongest(matches.filter { caseMatches($0, in: text) }[...]) : leftmostLongest(matches)
                hitsByRule.startRule(index)
                for match in kept { hitsByRule.append(Hit(text.originalRange(ofTokens: match.firstToken, through: match.lastToken))) }
                hitsByRule.endRule(index)
            case .near:
                guard grouping.sidesFound[index] == PhraseOwner.Side.nearA.bit | PhraseOwner.Side.nearB.bit else { break }
                sideA.removeAll(keepingCapacity: true)
                sideB.removeAll(keepingCapacity: true)
                for match in matches {
                    switch phrases.payload(of: match).side {
                    case .nearA: sideA.append(match)
                    case .nearB: sideB.append(match)
                    case .keyword: break
                    }
                }
                let a = leftmostLongest(sideA[...])
                let b = leftmostLongest(sideB[...])
                let within = traits.within
                hitsByRule.startRule(index)
                for left in a {
                    // The nearest partner within reach; the first of equals, as `min` would pick.
                    var partner: PhraseMatch?
                    var partnerDistance = Int.max
                    for right in b {
                        let gap = right.firstToken > left.lastToken
                            ? right.firstToken - left.lastToken - 1 : left.firstToken - right.lastToken - 1
                        guard gap >= 0, gap <= within else { continue }
                        let distance = abs(right.firstToken - left.firstToken)
                        if distance < partnerDistance {
                            partner = right
                            partnerDistance = distance
                        }
                    }
                    if let partner {
                        hitsByRule.append(Hit(text.originalRange(ofTokens: left.firstToken, through: left.lastToken),
                                              text.originalRange(ofTokens: partner.firstToken, through: partner.lastToken)))
                    }
                }
                hitsByRule.endRule(index)
            case .other:
                break
            }
        }

        if let profiler { profiler.add("rules: keyword and proximity pass", DispatchTime.now().uptimeNanoseconds - phraseStart) }

        // 2. Regular expressions, after the literal prefilter. `regexPatterns` lists patterns
        // rule by rule, so the prefilter's list of candidates, in order, holds each rule's as a
        // run, walked in place (no list per rule: that was hundreds of small arrays per
        // document); rules with no candidate are not visited at all.
        let prefilterStart = profiler == nil ? 0 : DispatchTime.now().uptimeNanoseconds
        // The folded text's word starts, found once for the prefilter's atoms and the patterns'
        // leading words.
        var foldedWordStarts: [Int32]?
        let tried: [Int32] = optimised && !regexPatterns.isEmpty
            ? text.folded.withUnsafeBufferPointer { folded in
                if prefilter.needsWordStarts {
                    foldedWordStarts = text.tokens.withUnsafeBufferPointer { LeadingWords.wordStarts(in: folded, tokens: $0) }
                }
                return prefilter.candidatePatterns(in: folded, wordStarts: foldedWordStarts, scratch: scratch)
            } : everyRegexPattern
        if let profiler { profiler.add("rules: regex prefilter scan", DispatchTime.now().uptimeNanoseconds - prefilterStart) }
        // Whether the patterns' faster ASCII code may run on each text (see
        // `Regex.isUnicodeNeutral`), checked once, when a pattern first needs it.
        var foldedIsNeutral: Bool?
        var originalIsNeutral: Bool?
        // The folded text's ASCII digits, found when a pattern first needs a run of them or
        // many in a stretch; the longest run, and the most digits within each span asked for.
        var digitPositions: [Int32] = []
        swap(&digitPositions, &scratch.digitPositions)
        defer { swap(&digitPositions, &scratch.digitPositions) }
        var digitsFound = false
        var longestDigitRun = 0
        var mostDigitsBySpan: [(span: Int32, most: Int)] = []
        func findDigits() {
            guard !digitsFound else { return }
            digitsFound = true
            prepared {
                text.folded.withUnsafeBufferPointer { RegexPrefilter.digitPositions(in: $0, into: &digitPositions) }
                longestDigitRun = RegexPrefilter.longestDigitRun(of: digitPositions)
            }
        }
        // The word starts by first byte, grouped when a pattern with leading words first runs.
        var wordStarts: WordStarts?
        // The positions of the chunks that hold a space-free pattern's literals, kept for the
        // next pattern with the same literals (the e-mail patterns share `@`).
        var chunkPositions: (literals: [[UInt8]], positions: [Int])?
        // Where a pattern with leading words is tried, refilled for each such pattern.
        var leadingWordStarts: [Int] = []
        swap(&leadingWordStarts, &scratch.leadingWordStarts)
        defer { swap(&leadingWordStarts, &scratch.leadingWordStarts) }
        // What the patterns share is prepared by the first one that needs it (the Unicode check,
        // the longest run of digits, the word starts by first byte, the chunks holding a
        // literal). Profiled, it is timed on its own and left out of that pattern's rule: counted
        // there, it made whichever rule came first look ten times slower than its own matching,
        // and sent rule writers after the wrong rule.
        var preparationNanoseconds: UInt64 = 0
        var preparationOfRule: UInt64 = 0
        func prepared<Result>(_ work: () throws -> Result) rethrows -> Result {
            guard profiler != nil else { return try work() }
            let start = DispatchTime.now().uptimeNanoseconds
            defer {
                let elapsed = DispatchTime.now().uptimeNanoseconds - start
                preparationOfRule += elapsed
                preparationNanoseconds += elapsed
            }
            return try work()
        }
        var runStart = 0
        while runStart < tried.count {
            let index = regexPatterns[Int(tried[runStart])].rule
            var runEnd = runStart + 1
            while runEnd < tried.count, regexPatterns[Int(tried[runEnd])].rule == index { runEnd += 1 }
            let run = tried[runStart..<runEnd]
            runStart = runEnd
            guard active(index) else { continue }
            var hits: [Hit] = []
            let onOriginal = traits[index].caseSensitive
            let regexStart = profiler == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            preparationOfRule = 0
            defer {
                if let profiler {
                    profiler.add("regex: \(rules[index].id)", DispatchTime.now().uptimeNanoseconds - regexStart - preparationOfRule)
                }
            }
            for candidate in run {
                let position = Int(candidate)
                let pattern = regexPatterns[position].regex
                do {
                    let neutral: Bool
                    if onOriginal {
                        if originalIsNeutral == nil {
                            originalIsNeutral = prepared { optimised && text.original.withUnsafeBufferPointer { Regex.isUnicodeNeutral($0) } }
                        }
                        neutral = originalIsNeutral!
                    } else {
                        if foldedIsNeutral == nil {
                            foldedIsNeutral = prepared { optimised && text.folded.withUnsafeBufferPointer { Regex.isUnicodeNeutral($0) } }
                        }
                        neutral = foldedIsNeutral!
                    }
                    // A pattern needing more digits in a row than the text holds cannot match it.
                    let digitsNeeded = optimised && !onOriginal && neutral ? Int(prefilter.digitRuns[position]) : 0
                    if digitsNeeded > 0 {
                        findDigits()
                        if longestDigitRun < digitsNeeded { continue }
                    }
                    // Nor one needing more digits within a stretch than any stretch of the text holds.
                    let density: (digits: Int32, span: Int32) = optimised && !onOriginal && neutral ? prefilter.digitDensities[position] : (0, 0)
                    if density.digits > 0 {
                        findDigits()
                        let most: Int
                        if let known = mostDigitsBySpan.first(where: { $0.span == density.span }) {
                            most = known.most
                        } else {
                            most = RegexPrefilter.mostDigits(of: digitPositions, within: Int(density.span))
                            mostDigitsBySpan.append((density.span, most))
                        }
                        if most < Int(density.digits) { continue }
                    }
                    // A slow pattern whose factor is not in the text cannot match it. A factor
                    // that hits its own limit proves nothing: the pattern runs.
                    if optimised, let guardPattern = guards[position] {
                        let factorFound = try? (onOriginal ? text.original : text.folded).withUnsafeBufferPointer { buffer in
                            try !guardPattern.matches(in: buffer, scratch: scratch.matches, validUTF8: true, limit: 1,
                                                      unicodeNeutral: neutral).isEmpty
                        }
                        if factorFound == false { continue }
                    }
                    let words = optimised && !onOriginal ? leadingWords[position].flatMap { $0.needsNeutralText && !neutral ? nil : $0 } : nil
                    let chunkLiterals = optimised && !onOriginal && words == nil ? prefilter.chunkLiterals[position] : nil
                    let ranges = try (onOriginal ? text.original : text.folded).withUnsafeBufferPointer { buffer in
                        if let chunkLiterals {
                            if chunkPositions?.literals != chunkLiterals {
                                chunkPositions = prepared { (chunkLiterals, SpaceFreeChunks.positions(in: buffer, holdingOneOf: chunkLiterals)) }
                            }
                            return try pattern.matches(in: buffer, startingAt: chunkPositions!.positions, scratch: scratch.matches,
                                                       validUTF8: true, limit: 10_000, unicodeNeutral: neutral)
                        }
                        guard let words else {
                            return try pattern.matches(in: buffer, scratch: scratch.matches, validUTF8: true, limit: 10_000,
                                                       unicodeNeutral: neutral)
                        }
                        if wordStarts == nil {
                            wordStarts = prepared { WordStarts(buffer, starts: foldedWordStarts ?? LeadingWords.wordStarts(in: buffer)) }
                        }
                        words.candidates(in: buffer, wordStarts: wordStarts!, into: &leadingWordStarts)
                        return try pattern.matches(in: buffer, startingAt: leadingWordStarts,
                                                   scratch: scratch.matches, validUTF8: true, limit: 10_000, unicodeNeutral: neutral)
                    }
                    for range in ranges where !range.isEmpty {
                        hits.append(Hit(onOriginal ? range : text.originalRange(ofFolded: range)))
                    }
                } catch {
                    issues.append(ClassificationIssue(source: rules[index].id,
                                                      message: "regex skipped on this document: \(error)"))
                }
            }
            if !hits.isEmpty {
                hitsByRule.set(index, hits.sorted { $0.firstSpan!.lowerBound < $1.firstSpan!.lowerBound })
            }
        }
        if let profiler, preparationNanoseconds > 0 {
            profiler.add("rules: what regexes share (Unicode check, digit runs, word starts, chunks)", preparationNanoseconds)
        }

        // 3. Scope and minimum counts.
        for index in hitsByRule.firedRules() {
            let traits = traits[index]
            if traits.scope != .any {
                let title = context.document.titleRange
                hitsByRule.keepHits(of: index) { hit in
                    let inTitle = title.map { $0.contains(hit.firstSpan!.lowerBound) } ?? false
                    return traits.scope == .title ? inTitle : !inTitle
                }
            }
            if hitsByRule.count(of: index) < traits.minCount { hitsByRule.remove(index) }
        }

        // 4. Composites, in dependency order; counted before anything is built, since most do
        // not fire. Plain loops: a closure capturing `hitsByRule` would box it for the whole
        // function and check exclusive access at every read.
        // The plans to check, as bits in plan order (dependency order): those the fired rules
        // trigger, and the plans they fire trigger later ones, met as the scan goes on.
        // Unoptimised, every plan is checked: what the triggers save is then compared.
        var planBits: [UInt64] = []
        swap(&planBits, &scratch.planBits)
        defer { swap(&planBits, &scratch.planBits) }
        planBits.removeAll(keepingCapacity: true)
        planBits.append(contentsOf: repeatElement(optimised ? 0 : ~0, count: (compositePlans.count + 63) / 64))
        if !optimised, compositePlans.count % 64 != 0 { planBits[planBits.count - 1] = (1 &<< UInt64(compositePlans.count % 64)) &- 1 }
        for plan in compositesAlwaysChecked { planBits[Int(plan) &>> 6] |= 1 &<< UInt64(plan & 63) }
        for rule in hitsByRule.rulesGiven {
            CompiledRuleSet.trigger(Int(rule), starts: compositeTriggerStart, plans: compositeTriggers, into: &planBits)
        }
        var planWord = 0
        while planWord < planBits.count {
            guard planBits[planWord] != 0 else {
                planWord += 1
                continue
            }
            let bit = planBits[planWord].trailingZeroBitCount
            planBits[planWord] &= planBits[planWord] &- 1
            let plan = compositePlans[planWord &* 64 &+ bit]
            guard active(Int(plan.rule)) else { continue }
            var fires = true
            for position in Int(plan.allStart)..<Int(plan.anyStart) where !hitsByRule.fired(Int(compositeOperands[position])) {
                fires = false
                break
            }
            guard fires else { continue }
            if plan.anyStart < plan.noneStart {
                var count = 0
                for position in Int(plan.anyStart)..<Int(plan.noneStart) where hitsByRule.fired(Int(compositeOperands[position])) {
                    count += 1
                }
                guard count >= Int(plan.atLeast) else { continue }
            }
            for position in Int(plan.noneStart)..<Int(plan.end) where hitsByRule.fired(Int(compositeOperands[position])) {
                fires = false
                break
            }
            guard fires else { continue }
            var spanCount = 0
            for position in Int(plan.allStart)..<Int(plan.noneStart) {
                for hit in hitsByRule[Int(compositeOperands[position])] { spanCount += hit.spanView.count }
            }
            var spans: [Range<Int>] = []
            spans.reserveCapacity(spanCount)
            // Span by span: `+=` a hit's spans went through the generic append of a sequence,
            // some 150 instructions a hit.
            for position in Int(plan.allStart)..<Int(plan.noneStart) {
                for hit in hitsByRule[Int(compositeOperands[position])] {
                    for span in hit.spanView { spans.append(span) }
                }
            }
            spans.sort { $0.lowerBound < $1.lowerBound }
            // Equal spans start at the same place, so each is compared only with the kept spans
            // that start where it does (the last few), not with every kept span.
            var unique: [Range<Int>] = []
            unique.reserveCapacity(spans.count)
            for span in spans where !unique.reversed().prefix(while: { $0.lowerBound == span.lowerBound }).contains(span) {
                unique.append(span)
            }
            hitsByRule.set(Int(plan.rule), CollectionOfOne(Hit(spans: unique)))
            CompiledRuleSet.trigger(Int(plan.rule), starts: compositeTriggerStart, plans: compositeTriggers, into: &planBits)
        }

        let fired = hitsByRule.firedRules()
        let shared = hitsByRule.handOverHits()
        var evidence: [Evidence] = []
        evidence.reserveCapacity(fired.count)
        let templates = scratch.ownEvidenceTemplates(evidenceTemplates)
        for index in fired {
            var piece = templates[index]
            piece.hits = shared[hitsByRule.range(of: index)]
            evidence.append(piece)
        }
        return (evidence, issues)
    }

    /// Marks in `bits` the composite plans that `rule` firing may let fire.
    @inline(__always)
    private static func trigger(_ rule: Int, starts: [Int32], plans: [Int32], into bits: inout [UInt64]) {
        for position in Int(starts[rule])..<Int(starts[rule + 1]) {
            let plan = Int(plans[position])
            bits[plan &>> 6] |= 1 &<< UInt64(plan & 63)
        }
    }

    private func caseMatches(_ match: PhraseIndex<PhraseOwner>.Match, in text: TextView) -> Bool {
        let phrase = phrases.phrase(of: match)
        for offset in 0..<phrase.tokenCount {
            let expected = phrase.originalToken(offset)
            let range = text.originalRange(ofTokens: match.firstToken + offset, through: match.firstToken + offset)
            let actual = text.original[range]
            if phrase.isPrefix(offset) ? !actual.starts(with: expected) : !actual.elementsEqual(expected) { return false }
        }
        return true
    }
}

/// The hits of one document's rules, laid end to end: rule `r`'s are
/// `hits[start[r] ..< start[r] + count[r]]`, and a count of 0 means the rule did not fire. An
/// optional array per rule was released rule by rule through generic value witnesses at the end
/// of every document, whether it fired or not: with 1,000 keyword rules, several percent of the
/// time. Plain integers are freed in one step, and only the rules that fired are visited.
struct HitTable {
    private var hits: [Hit] = []
    private var start: [Int32]
    private var count: [Int32]
    /// Rules given hits, in the order they were given them (a rule may appear more than once).
    private var given: [Int32] = []
    /// A bit per rule, all clear between calls of ``firedRules()``.
    private var givenBits: [UInt64]

    init(ruleCount: Int) {
        start = [Int32](filledWith: 0, count: ruleCount)
        count = [Int32](filledWith: 0, count: ruleCount)
        givenBits = [UInt64](filledWith: 0, count: ruleCount / 64 + 1)
    }

    var ruleCount: Int { count.count }

    /// Back to no rule fired, touching only the rules given hits: a rule never given any kept
    /// its start and count of 0 (an unfired rule's hits are `hits[0 ..< 0]`).
    mutating func clear() {
        for rule in given {
            start[Int(rule)] = 0
            count[Int(rule)] = 0
        }
        given.removeAll(keepingCapacity: true)
        hits.removeAll(keepingCapacity: true)
    }

    @inline(__always) func fired(_ rule: Int) -> Bool { count[rule] > 0 }

    @inline(__always) func count(of rule: Int) -> Int { Int(count[rule]) }

    subscript(rule: Int) -> ArraySlice<Hit> { hits[Int(start[rule])..<Int(start[rule] + count[rule])] }

    /// Where `rule`'s hits are in the array ``handOverHits()`` gives.
    @inline(__always) func range(of rule: Int) -> Range<Int> { Int(start[rule])..<Int(start[rule] + count[rule]) }

    /// The array of every hit given, for the evidence of the fired rules to share (each a slice
    /// of it, see ``range(of:)``); the table goes on with an empty one, which the next document
    /// sizes. The hits were copied into an array of their own before, one at a time through the
    /// generic copy of a hit (a composite's may hold an array): 11,000 instructions a news
    /// article, and the table's copies were then destroyed one at a time too. The array given
    /// also holds the hits of rules that lost them (scope, minimum count), which no slice shows.
    /// A document without hits keeps the array, and its room, for the next.
    mutating func handOverHits() -> [Hit] {
        guard !hits.isEmpty else { return [] }
        var handed: [Hit] = []
        swap(&handed, &hits)
        return handed
    }

    /// Gives `rule` these hits, replacing any it had; none leaves it not fired.
    mutating func set<Hits: Collection<Hit>>(_ rule: Int, _ newHits: Hits) {
        startRule(rule)
        hits.append(contentsOf: newHits)
        endRule(rule)
    }

    mutating func remove(_ rule: Int) { count[rule] = 0 }

    /// Room for `hitCount` hits, and for as many rules given hits (at most one per hit, less
    /// the rules given none), so that neither grows through copies while a document is read.
    mutating func reserveCapacity(_ hitCount: Int) {
        hits.reserveCapacity(hitCount)
        given.reserveCapacity(min(hitCount, start.count))
    }

    /// `startRule`, `append` for each hit, `endRule`: `set` without a collection to pass.
    mutating func startRule(_ rule: Int) { start[rule] = Int32(hits.count) }

    @inline(__always) mutating func append(_ hit: Hit) { hits.append(hit) }

    mutating func endRule(_ rule: Int) {
        count[rule] = Int32(hits.count) - start[rule]
        if count[rule] > 0 { given.append(Int32(rule)) }
    }

    /// Keeps, in order, the hits of `rule` that pass `isKept`.
    mutating func keepHits(of rule: Int, where isKept: (Hit) -> Bool) {
        let first = Int(start[rule])
        var kept = first
        for position in first..<(first + Int(count[rule])) where isKept(hits[position]) {
            hits.swapAt(kept, position)
            kept += 1
        }
        count[rule] = Int32(kept - first)
    }

    /// The rules given hits so far (a rule may come more than once, and may have lost its hits since).
    var rulesGiven: [Int32] { given }

    /// The rules that fired so far, each once, in rule order: the rules given hits marked in a
    /// bitmap and read back in order, where sorting a copy of them allocated twice and compared
    /// some sixty rules an article, twice a document.
    mutating func firedRules() -> [Int] {
        var rules: [Int] = []
        rules.reserveCapacity(given.count)
        given.withUnsafeBufferPointer { given in
        count.withUnsafeBufferPointer { count in
        givenBits.withUnsafeMutableBufferPointer { bits in
            for rule in given where count[Int(rule)] > 0 { bits[Int(rule) &>> 6] |= 1 &<< UInt64(rule & 63) }
            for word in bits.indices where bits[word] != 0 {
                var remaining = bits[word]
                bits[word] = 0
                while remaining != 0 {
                    rules.append(word &<< 6 | remaining.trailingZeroBitCount)
                    remaining &= remaining &- 1
                }
            }
        }}}
        return rules
    }
}
