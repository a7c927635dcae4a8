import CribleCore
import Foundation
import PCRE2

/// Turns parsed rule files into a ``CompiledRuleSet``: compiles regexes (JIT), builds the shared
/// phrase index, resolves and orders composites, merges lexicons.
///
/// Every problem becomes a diagnostic and the faulty rule is left out; the others compile.
public struct RuleCompiler: Sendable {
    public var regexLimits: Regex.Limits
    /// Limits of the patterns the linter's W001 shape check flags (nested unbounded repetition):
    /// tighter, so that one such rule costs the batch little more than a well-written one.
    public var riskyRegexLimits: Regex.Limits

    public init(regexLimits: Regex.Limits = .standard, riskyRegexLimits: Regex.Limits = .risky) {
        self.regexLimits = regexLimits
        self.riskyRegexLimits = riskyRegexLimits
    }

    public func compile(_ files: [RuleFile], digest: String) -> (CompiledRuleSet, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        func report(_ severity: Diagnostic.Severity, _ code: String, _ message: String, at location: SourceLocation,
                    length: Int = 1, hint: String? = nil) {
            diagnostics.append(Diagnostic(severity, code, message, file: location.file, line: location.line,
                                          column: location.column, length: length, hint: hint))
        }

        // Lexicons, merged per language in load order. They do not depend on the rules, so they
        // are built on other cores while the rules compile (they are a third of compiling).
        var lexiconDiagnostics: [Diagnostic] = []
        var lexiconDefinitions: [String: [LexiconDefinition]] = [:]
        var lexiconIDs: [String: SourceLocation] = [:]
        for file in files {
            guard let lexicon = file.lexicon else { continue }
            if let first = lexiconIDs[lexicon.id] {
                let location = lexicon.location
                lexiconDiagnostics.append(Diagnostic(.error, "E012", "duplicate lexicon id `\(lexicon.id)` (first defined at \(first))",
                                                     file: location.file, line: location.line, column: location.column))
                continue
            }
            lexiconIDs[lexicon.id] = lexicon.location
            lexiconDefinitions[lexicon.language, default: []].append(lexicon)
        }
        let languages = lexiconDefinitions.keys.sorted()
        let lexiconBuilds = IndexedResults<(CompiledLexicon?, [Diagnostic])>(count: languages.count, placeholder: (nil, []))
        let group = DispatchGroup()
        for (index, language) in languages.enumerated() {
            let definitions = lexiconDefinitions[language] ?? []
            DispatchQueue.global().async(group: group) {
                lexiconBuilds.set(index, CompiledLexicon.build(language: language, definitions: definitions))
            }
        }

        // Labels first: rules may only emit declared labels (a typo must not invent a label).
        var labels: [String: LabelDefinition] = [:]
        for file in files {
            for label in file.labels {
                if let existing = labels[label.name], existing.iptc != label.iptc, label.iptc != nil, existing.iptc != nil {
                    report(.warning, "W007", "label `\(label.name)` is declared again with another IPTC code (first at \(existing.location))",
                           at: label.location)
                }
                if labels[label.name] == nil || labels[label.name]?.iptc == nil { labels[label.name] = label }
            }
        }

        /// Whether the label of `rule` is declared, reported when it is not.
        func hasDeclaredLabel(_ rule: RuleDefinition) -> Bool {
            guard let label = rule.label, labels[label] == nil else { return true }
            report(.error, "E013", "rule `\(rule.id)` emits label `\(label)`, which no loaded file declares", at: rule.location,
                   hint: closestMatch(to: label, in: Set(labels.keys)).map { "did you mean `\($0)`?" }
                       ?? "declare it in a `labels:` section")
            return false
        }

        // Unique ids across every file.
        var definitions: [RuleDefinition] = []
        var firstLocation: [String: SourceLocation] = [:]
        // Rules left out for an error of their own, whose patterns are still checked below: a
        // rule author fixing a file sees all of its mistakes at once, not one layer per run.
        var leftOut: [RuleDefinition] = []
        for file in files {
            // In the file's order, complete or not: an id is taken by its first rule either way.
            let written = (file.rules.map { (rule: $0, complete: true) } + file.rulesWithErrors.map { (rule: $0, complete: false) })
                .sorted { ($0.rule.location.line, $0.rule.location.column) < ($1.rule.location.line, $1.rule.location.column) }
            for (rule, complete) in written {
                let declared = hasDeclaredLabel(rule)
                if let first = firstLocation[rule.id] {
                    report(.error, "E012", "duplicate rule id `\(rule.id)` (first defined at \(first))", at: rule.location)
                    leftOut.append(rule)
                    continue
                }
                firstLocation[rule.id] = rule.location
                guard declared, complete else {
                    leftOut.append(rule)
                    continue
                }
                definitions.append(rule)
            }
        }

        // The regex prefilter needs only the patterns' folded texts, known now: it is built on
        // another core while the patterns compile here. It is built for every regex rule; if one
        // fails to compile (an error the user must fix anyway), the rule set builds it again.
        // Each pattern as it is compiled: folded like documents, unless the rule is case-sensitive.
        func sourcesToCompile(of definition: RuleDefinition) -> [String] {
            guard case .regex(let patterns) = definition.kind else { return [] }
            return patterns.map { definition.caseSensitive ? $0.value : RegexFolding.fold($0.value) }
        }
        let compiledSources = definitions.map(sourcesToCompile(of:))
        // Case-sensitive patterns run on the original text, which the prefilter does not read.
        let prefilterSources = zip(definitions, compiledSources).flatMap { definition, sources in
            definition.caseSensitive ? sources.map { _ in "" } : sources
        }
        // The limits each pattern compiles with: the tight ones for risky shapes.
        func limitsToCompile(of definition: RuleDefinition) -> [Regex.Limits] {
            guard case .regex(let patterns) = definition.kind else { return [] }
            return patterns.map { RuleLinter.hasNestedUnboundedQuantifier($0.value) ? riskyRegexLimits : regexLimits }
        }
        let patternLimits = definitions.map(limitsToCompile(of:))
        // Rule patterns compile without options; the rule set checks these against the compiled ones.
        let leadingWordsAllowed = patternLimits.flatMap { $0.map { CompiledRuleSet.mayTryAtLeadingWords(options: [], limits: $0) } }
        let prefilterBuild = IndexedResults<RegexPrefilter?>(count: 1, placeholder: nil)
        DispatchQueue.global().async(group: group) {
            prefilterBuild.set(0, RegexPrefilter(patterns: prefilterSources, leadingWordsAllowed: leadingWordsAllowed))
        }

        // Compile simple rules; composites are resolved once every simple rule is known.
        var compiled: [CompiledRule] = []
        var phrases = PhraseIndex<PhraseOwner>()
        var composites: [RuleDefinition] = []
        /// The compiled kind of a simple rule and the phrases it adds, or `nil` when one of its
        /// keywords or patterns is wrong (reported).
        func compiledKind(of definition: RuleDefinition, sources: [String],
                          limits: [Regex.Limits]) -> (kind: CompiledRule.Kind, phrases: [(Phrase, PhraseOwner.Side)])? {
            var phrases: [(Phrase, PhraseOwner.Side)] = []
            var ok = true
            let kind: CompiledRule.Kind
            switch definition.kind {
            case .keywords(let list):
                for keyword in list {
                    if let phrase = Phrase(keyword.value) {
                        phrases.append((phrase, .keyword))
                    } else {
                        report(.error, "E010", "keyword `\(keyword.value)` has no letter or digit to match", at: keyword.location)
                        ok = false
                    }
                }
                kind = .keywords
            case .near(let a, let b, let within):
                for (list, side) in [(a, PhraseOwner.Side.nearA), (b, .nearB)] {
                    for keyword in list {
                        if let phrase = Phrase(keyword.value) {
                            phrases.append((phrase, side))
                        } else {
                            report(.error, "E010", "keyword `\(keyword.value)` has no letter or digit to match", at: keyword.location)
                            ok = false
                        }
                    }
                }
                kind = .near(within: within)
            case .regex(let patterns):
                var regexes: [Regex] = []
                for ((pattern, source), limits) in zip(zip(patterns, sources), limits) {
                    do {
                        let regex = try Regex(source, limits: limits)
                        if regex.canMatchEmpty {
                            report(.warning, "W002", "pattern /\(pattern.value)/ can match the empty string", at: pattern.location,
                                   hint: "empty matches are ignored; make the pattern require at least one character")
                        }
                        regexes.append(regex)
                    } catch {
                        var location = pattern.location
                        // Point at the character PCRE2 complained about: the scalar starts after its quote.
                        if let offset = error.offset {
                            let prefix = String(decoding: Array(source.utf8).prefix(offset), as: UTF8.self)
                            location.column += prefix.unicodeScalars.count + 1
                        }
                        report(.error, "E014", "invalid regular expression in rule `\(definition.id)`: \(error.message)",
                               at: location, hint: "PCRE2 stopped at offset \(error.offset ?? 0) of /\(source)/")
                        ok = false
                    }
                }
                kind = .regex(regexes)
            case .composite:
                return nil
            }
            return ok ? (kind, phrases) : nil
        }
        for (definitionIndex, definition) in definitions.enumerated() {
            if case .composite = definition.kind {
                composites.append(definition)
                continue
            }
            guard let (kind, pendingPhrases) = compiledKind(of: definition, sources: compiledSources[definitionIndex],
                                                            limits: patternLimits[definitionIndex]) else { continue }
            let ruleNumber = Int32(compiled.count)
            for (phrase, side) in pendingPhrases { phrases.insert(phrase, payload: PhraseOwner(rule: ruleNumber, side: side)) }
            compiled.append(CompiledRule(definition: definition, kind: kind, languages: definition.languages.map(Set.init)))
        }
        for definition in leftOut {
            _ = compiledKind(of: definition, sources: sourcesToCompile(of: definition), limits: limitsToCompile(of: definition))
        }

        // Composites: resolve names, drop those naming unknown rules, order them, reject cycles.
        var indexByID = Dictionary(compiled.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let compositeIDs = Set(composites.map(\.id))
        let failedIDs = Set(firstLocation.keys).subtracting(indexByID.keys).subtracting(compositeIDs)
        var resolvable = composites.filter { definition in
            guard case .composite(let all, let any, _, let none) = definition.kind else { return false }
            var ok = true
            for name in all + any + none where indexByID[name.value] == nil && !compositeIDs.contains(name.value) {
                if failedIDs.contains(name.value) {
                    report(.error, "E015", "rule `\(definition.id)` names `\(name.value)`, which could not be loaded (see its own error)",
                           at: name.location)
                    ok = false
                    continue
                }
                let hint = closestMatch(to: name.value, in: Set(indexByID.keys).union(compositeIDs))
                report(.error, "E015", "rule `\(definition.id)` names `\(name.value)`, which is not a loaded rule", at: name.location,
                       hint: hint.map { "did you mean `\($0)`?" })
                ok = false
            }
            return ok
        }
        var compositeOrder: [Int] = []
        var progress = true
        while !resolvable.isEmpty && progress {
            progress = false
            for definition in resolvable {
                guard case .composite(let all, let any, let atLeast, let none) = definition.kind else { continue }
                let names = all + any + none
                guard names.allSatisfy({ indexByID[$0.value] != nil }) else { continue }
                let index = compiled.count
                compiled.append(CompiledRule(definition: definition,
                                             kind: .composite(all: all.map { indexByID[$0.value]! },
                                                              any: any.map { indexByID[$0.value]! },
                                                              atLeast: atLeast, none: none.map { indexByID[$0.value]! }),
                                             languages: definition.languages.map(Set.init)))
                indexByID[definition.id] = index
                compositeOrder.append(index)
                progress = true
            }
            resolvable.removeAll { indexByID[$0.id] != nil }
        }
        for definition in resolvable {
            report(.error, "E016", "rule `\(definition.id)` is part of a cycle of composite rules (or names one that is)",
                   at: definition.location, hint: "a composite cannot depend on itself, directly or through others")
        }

        diagnostics += lexiconDiagnostics
        group.wait()
        var lexicons: [String: CompiledLexicon] = [:]
        for (language, (lexicon, buildDiagnostics)) in zip(languages, lexiconBuilds.values()) {
            lexicons[language] = lexicon
            diagnostics += buildDiagnostics
        }

        // External plugins: unique ids, declared labels, commands resolved against their file.
        var plugins: [ExternalPluginDefinition] = []
        for file in files {
            for var plugin in file.plugins {
                if let first = firstLocation[plugin.id] {
                    report(.error, "E012", "duplicate id `\(plugin.id)` (first defined at \(first))", at: plugin.location)
                    continue
                }
                firstLocation[plugin.id] = plugin.location
                if let unknown = plugin.labels.first(where: { labels[$0] == nil }) {
                    report(.error, "E013", "plugin `\(plugin.id)` emits label `\(unknown)`, which no loaded file declares", at: plugin.location)
                    continue
                }
                let folder = (file.path as NSString).deletingLastPathComponent
                plugin.command = plugin.command.enumerated().map { index, part in
                    let candidate = (folder as NSString).appendingPathComponent(part)
                    let looksLikePath = part.hasPrefix("./") || part.hasPrefix("../") || (index > 0 && !part.hasPrefix("-"))
                    return !part.hasPrefix("/") && looksLikePath && FileManager.default.fileExists(atPath: candidate) ? candidate : part
                }
                plugins.append(plugin)
            }
        }

        let set = CompiledRuleSet(rules: compiled, labels: labels, lexicons: lexicons, digest: digest,
                                  files: files.map(\.path), externalPlugins: plugins,
                                  pluginConfigurations: files.flatMap(\.pluginConfigurations), phrases: phrases,
                                  compositeOrder: compositeOrder,
                                  prebuiltPrefilter: prefilterBuild.values()[0].map { ($0, prefilterSources) })
        return (set, diagnostics)
    }
}

/// Folds the literal letters of a regex the way documents are folded, so that a pattern written
/// `Données` matches the folded `donnees`. Escapes, property names, group names and `\x{…}`
/// stay untouched.
public enum RegexFolding {
    /// The pattern as the text view would fold its literal characters; escapes, `\Q…\E` markers,
    /// and group names are kept as written.
    ///
    /// Built as bytes: appending a `String` per character, as this did, took some 300,000
    /// instructions per pattern, a quarter of compiling the rules after parsing.
    public static func fold(_ pattern: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(pattern.utf8.count)
        for (scalar, folds) in scalars(of: pattern) {
            if scalar.isASCII {
                // Lowered here directly, as the text view does: building a view for each
                // character of every pattern was a twentieth of rule loading.
                output.append(folds ? foldedASCII(UInt8(scalar.value)) : UInt8(scalar.value))
            } else if folds {
                output.append(contentsOf: TextView(String(scalar)).folded)
            } else {
                output.append(contentsOf: String(scalar).utf8)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The pattern's scalars, each with whether it is a literal character to fold: `false` for
    /// an escape and what it names (`\p{Lu}`, `\x{E9}`, `\k<name>`), the `\Q` and `\E` markers
    /// (the text between them is literal), and group names.
    static func scalars(of pattern: String) -> [(scalar: Unicode.Scalar, folds: Bool)] {
        let scalars = Array(pattern.unicodeScalars)
        var marked: [(scalar: Unicode.Scalar, folds: Bool)] = []
        marked.reserveCapacity(scalars.count)
        var index = 0
        func copyUntil(_ closing: Unicode.Scalar) {
            while index < scalars.count {
                marked.append((scalars[index], false))
                index += 1
                if scalars[index - 1] == closing { return }
            }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count {
                let escaped = scalars[index + 1]
                marked.append((scalar, false))
                marked.append((escaped, false))
                index += 2
                if "pPxNgko".unicodeScalars.contains(escaped), index < scalars.count {
                    if scalars[index] == "{" { copyUntil("}") } else if scalars[index] == "<" { copyUntil(">") }
                }
                if escaped == "Q" {  // \Q…\E: literal text, fold it
                    while index < scalars.count {
                        if scalars[index] == "\\", index + 1 < scalars.count, scalars[index + 1] == "E" { break }
                        marked.append((scalars[index], true))
                        index += 1
                    }
                }
                continue
            }
            if scalar == "(", index + 2 < scalars.count, scalars[index + 1] == "?" {
                // Named groups (?<name>…), (?P<name>…), (?'name'…) and (?P=name): keep names as written.
                let third = scalars[index + 2]
                if third == "<" || third == "'" || third == "P" {
                    let closing: Unicode.Scalar = third == "'" ? "'" : (third == "P" && index + 3 < scalars.count && scalars[index + 3] == "=" ? ")" : ">")
                    if !(third == "<" && index + 3 < scalars.count && (scalars[index + 3] == "=" || scalars[index + 3] == "!")) {
                        for kept in scalars[index...(index + 2)] { marked.append((kept, false)) }
                        index += 3
                        copyUntil(closing)
                        continue
                    }
                }
            }
            marked.append((scalar, true))
            index += 1
        }
        return marked
    }
}
